#!/usr/bin/env bash
# Soak of concurrent backfills under kill -9, outside CI, on MariaDB and on
# PostgreSQL:
#
#   bash bench/soak/run.sh                            # both databases, 180 s of kills each
#   DBS=postgres SOAK_SECS=300 SCALE=2 bash bench/soak/run.sh
#   MENDB=target/debug/mendb bash bench/soak/run.sh   # a binary built already
#
# For each database it loads the incident world (`fixtures load --scale
# SCALE`, `migrate up`) into the soak database and into a reference one, and
# drops the legacy collector's second copies of a sample from both (which of
# two copies fills a grid point is up to chunk commit order when several
# workers write the step; without them there is one right answer). In the
# reference it runs the three shipped plans one after the other, once each,
# uninterrupted. In the soak database it then runs, for SOAK_SECS:
#   - PROCS processes (default 2) of each of the three plans at once, each
#     with --workers WORKERS (default 4), on a database without backfill
#     state;
#   - the plans are the shipped ones with each row made to cost some
#     milliseconds (a SLEEP in one column's expression, which returns the
#     column unchanged) and a first chunk of about half a second of it, so
#     that the first run of each plan lasts about
#     SPAN (default 0.25) of the soak without kills, and the workers spend
#     their time inside chunk transactions;
#   - every KILL_MIN to KILL_MAX seconds (default 2 to 5) a random running
#     process is killed with SIGKILL and started again at once; a process
#     that finishes is started again too while the soak has longer to go
#     than the plan's first run took, so runs keep being created while
#     others run (a finished copy gets a new run that writes nothing; the
#     refresh writes what the restore added since its last run).
# Then nothing is killed any more and every process runs to its end. The
# soak passes when no process printed a duplicate key, no process exited
# non-zero other than by a kill, every run is finished and holds exactly its
# own plan's steps, no lease is left, a sequential rerun of the three shipped
# plans writes nothing for the two copies (the ML refresh ran beside the
# restore it reads from, and fills the rest), and each plan's target equals
# the reference's (row count and a hash of every row's text). Results:
# docs/soak.md.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source bench/lib.sh

DBS=${DBS:-"mysql postgres"}
SOAK_SECS=${SOAK_SECS:-180}
SCALE=${SCALE:-1}
WORKERS=${WORKERS:-4}
PROCS=${PROCS:-2}
KILL_MIN=${KILL_MIN:-2}
KILL_MAX=${KILL_MAX:-5}
SPAN=${SPAN:-0.25}
MYSQL_URL=${MENDB_SOAK_MYSQL_URL:-mysql://root@127.0.0.1:3306/mendb_soak}
POSTGRES_URL=${MENDB_SOAK_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/mendb_soak}
readonly PLANS="fill-price-gaps restore-onchain-enhanced refresh-ml-onchain-features"

exec 3>&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ -z ${MENDB:-} ]]; then
    echo "== build: release binary"
    cargo build --release --quiet
    MENDB=target/release/mendb
fi

# ---------------------------------------------------------------- dialects
use_db() {
    DIALECT=$1
    case $1 in
    mysql)
        URL=$MYSQL_URL
        parse_db_url "$URL" 3306
        export MYSQL_PWD=$DB_PASS
        ;;
    postgres)
        URL=$POSTGRES_URL
        parse_db_url "$URL" 5432
        export PGPASSWORD=$DB_PASS PGOPTIONS="-c client_min_messages=warning"
        ;;
    esac
    REF_NAME=${DB_NAME}_ref
    REF_URL=${URL}_ref
}

# Runs SQL (-e SQL) in database $1.
sql_in() {
    local db=$1
    shift
    case $DIALECT in
    mysql) mariadb --host="$DB_HOST" --port="$DB_PORT" --user="$DB_USER" --batch --skip-column-names "$db" "$@" ;;
    postgres) psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$db" -qtAX -F " " -v ON_ERROR_STOP=1 -c "$2" ;;
    esac
}

sql() { sql_in "$DB_NAME" "$@"; }

fresh_database() {
    case $DIALECT in
    mysql) sql_in mysql -e "DROP DATABASE IF EXISTS \`$1\`; CREATE DATABASE \`$1\`" ;;
    postgres)
        sql_in postgres -e "DROP DATABASE IF EXISTS $1 WITH (FORCE)"
        sql_in postgres -e "CREATE DATABASE $1"
        ;;
    esac
}

drop_database() {
    case $DIALECT in
    mysql) sql_in mysql -e "DROP DATABASE IF EXISTS \`$1\`" ;;
    postgres) sql_in postgres -e "DROP DATABASE IF EXISTS $1 WITH (FORCE)" ;;
    esac
}

drop_legacy_duplicates() {
    case $DIALECT in
    mysql) sql_in "$1" -e "DELETE d FROM price_data_old d JOIN price_data_old s ON s.symbol = d.symbol
        AND s.timestamp < d.timestamp AND s.timestamp >= d.timestamp - INTERVAL 10 SECOND" ;;
    postgres) sql_in "$1" -e "DELETE FROM price_data_old d USING price_data_old s WHERE s.symbol = d.symbol
        AND s.timestamp < d.timestamp AND s.timestamp >= d.timestamp - INTERVAL '10 seconds'" ;;
    esac
}

# Row count and a hash of every row's text (without ids and times) of a
# plan's target, in database $1.
fingerprint() {
    local db=$1 table cols text hash
    case $2 in
    fill-price-gaps)
        table=price_data_real
        cols="symbol timestamp current_price close volume_24h market_cap data_source"
        ;;
    restore-onchain-enhanced)
        table=crypto_onchain_data_enhanced
        cols="symbol date active_addresses transaction_count transaction_volume exchange_inflow
              exchange_outflow whale_transactions hash_rate market_cap realized_cap circulating_supply
              exchange_netflow nvt_ratio mvrv_ratio avg_transaction_value"
        ;;
    refresh-ml-onchain-features)
        table=ml_features_materialized
        cols="symbol timestamp onchain_active_addresses onchain_transaction_count onchain_transaction_volume
              onchain_exchange_inflow onchain_exchange_outflow onchain_exchange_netflow
              onchain_whale_transactions onchain_nvt_ratio onchain_mvrv_ratio onchain_hash_rate"
        ;;
    esac
    case $DIALECT in
    mysql)
        text=$(for c in $cols; do printf "COALESCE(CAST(\`%s\` AS CHAR), 'NULL')," "$c"; done)
        hash="CAST(CONV(SUBSTRING(MD5(CONCAT_WS('|', ${text%,})), 1, 15), 16, 10) AS UNSIGNED)"
        ;;
    postgres)
        text=$(for c in $cols; do printf "COALESCE(\"%s\"::text, 'NULL')," "$c"; done)
        hash="('x' || substr(md5(concat_ws('|', ${text%,})), 1, 15))::bit(60)::bigint"
        ;;
    esac
    sql_in "$db" -e "SELECT COUNT(*), SUM($hash) FROM $table"
}

# The shipped plan $1 with a SLEEP of $2 seconds in an expression that
# returns the column unchanged, and chunks of $3 rows to start with.
slowed_plan() {
    local plan=$1 cost=$2 chunk=$3 line from
    case $plan in
    refresh-ml-onchain-features) line='onchain_active_addresses = "s.active_addresses"' from=s.active_addresses ;;
    *) line='symbol = "symbol"' from=symbol ;;
    esac
    local slow="${line%%=*}= { mysql = \"CASE WHEN SLEEP($cost) = 0 THEN $from END\", postgres = \"CASE WHEN pg_sleep($cost)::text = '' THEN $from END\", sqlite = \"$from\" }"
    python3 - "backfill-plans/$plan.toml" "$line" "$slow" "$chunk" >"$work/$plan.toml" <<'PY'
import sys
path, line, slow, chunk = sys.argv[1:]
text = open(path).read()
assert line in text, (path, line)
out = []
for l in text.split("\n"):
    if l.strip() == line:
        l = slow
    elif l.strip().startswith("chunk_size"):
        l = f"chunk_size = {chunk}"
    out.append(l)
sys.stdout.write("\n".join(out))
PY
}

# How many times the database evaluates the slowed expression per row a
# chunk writes, as measured with one worker at scale 1 (the SLEEP's own
# overhead included): the copies compute it for rows they skip too, the
# refresh in its filter and in its SET.
evals() {
    case $DIALECT:$1 in
    mysql:fill-price-gaps) echo 2.8 ;;
    mysql:restore-onchain-enhanced) echo 2.2 ;;
    mysql:refresh-ml-onchain-features) echo 2.5 ;;
    postgres:fill-price-gaps) echo 2.2 ;;
    postgres:restore-onchain-enhanced) echo 2.2 ;;
    postgres:refresh-ml-onchain-features) echo 4.4 ;;
    esac
}

# ---------------------------------------------------------------- processes
declare -a SLOT_PLAN SLOT_PID SLOT_KILLED

start_slot() {
    local s=$1
    "$MENDB" -q backfill run "$work/${SLOT_PLAN[$s]}.toml" --database-url "$URL" --workers "$WORKERS" \
        >/dev/null 2>>"$work/err.$s" &
    SLOT_PID[$s]=$!
    SLOT_KILLED[$s]=0
    STARTS=$((STARTS + 1))
}

ended() { # pid
    [[ ! -e /proc/$1 ]] || [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) == Z ]]
}

# Whether a plan that just finished is started again: only while the soak
# has longer to go than the plan's first run took, so that the last runs
# end soon after the kills do.
again_in_time() {
    local plan=$1 t first
    t=$(now)
    [[ -n ${FIRST_RUN[$plan]:-} ]] || FIRST_RUN[$plan]=$((t - t0))
    first=${FIRST_RUN[$plan]}
    ((deadline - t > first))
}

# Reaps the slots whose process ended; $1 = restart also those that
# finished (during the soak) or not (draining). Sets RUNNING.
supervise() {
    local restart_finished=$1 s pid code
    RUNNING=0
    for s in "${!SLOT_PLAN[@]}"; do
        pid=${SLOT_PID[$s]}
        [[ $pid == done ]] && continue
        if ! ended "$pid"; then
            RUNNING=$((RUNNING + 1))
            continue
        fi
        code=0
        # Braced, so that bash's notice of a killed job stays out of the output.
        { wait "$pid"; } 2>/dev/null || code=$?
        if [[ ${SLOT_KILLED[$s]} == 1 ]]; then
            start_slot "$s"
        elif [[ $code != 0 ]]; then
            FAILURES=$((FAILURES + 1))
            echo "   ${SLOT_PLAN[$s]} (pid $pid) exited $code: $(tail -n 2 "$work/err.$s" | tr '\n' ' ')" >&3
            start_slot "$s"
        elif [[ $restart_finished == 1 ]] && again_in_time "${SLOT_PLAN[$s]}"; then
            FINISHED=$((FINISHED + 1))
            start_slot "$s"
        else
            FINISHED=$((FINISHED + 1))
            SLOT_PID[$s]=done
            continue
        fi
        RUNNING=$((RUNNING + 1))
    done
    return 0
}

kill_one() {
    local alive=() s pid held
    for s in "${!SLOT_PLAN[@]}"; do
        pid=${SLOT_PID[$s]}
        [[ $pid != done ]] && [[ ${SLOT_KILLED[$s]} == 0 ]] && ! ended "$pid" && alive+=("$s")
    done
    ((${#alive[@]} == 0)) && return
    s=${alive[$((RANDOM % ${#alive[@]}))]}
    pid=${SLOT_PID[$s]}
    # The chunks in the victim's hands as it dies: its workers' leases.
    held=$(sql -e "SELECT COUNT(*) FROM mendb_backfill_leases WHERE owner LIKE '%:$pid:w%'" 2>/dev/null || echo 0)
    kill -9 "$pid" 2>/dev/null || return
    SLOT_KILLED[$s]=1
    KILLS=$((KILLS + 1))
    HELD=$((HELD + ${held:-0}))
}

# ---------------------------------------------------------------- checks
# Every run finished and holding exactly its own plan's steps; prints the
# number of runs.
check_runs() {
    "$MENDB" backfill status --database-url "$URL" --format json | python3 -c '
import json, sys
want = {
    "fill-price-gaps": ["price-data-old", "ohlc-close"],
    "restore-onchain-enhanced": ["copy-missing-days"],
    "refresh-ml-onchain-features": ["set-onchain-columns"],
}
bad = 0
runs = json.load(sys.stdin)
for r in runs:
    run, steps = r["run"], [(s["step_index"], s["step_name"]) for s in r["steps"]]
    if steps != list(enumerate(want[run["plan"]])) or run["status"] != "finished":
        print("   run %s of %s: %s, steps %s" % (run["id"], run["plan"], run["status"], steps), file=sys.stderr)
        bad += 1
print(len(runs))
sys.exit(1 if bad else 0)
'
}

status=0
fail() {
    echo "   FAILED: $*" >&2
    status=1
}

for dialect in $DBS; do
    use_db "$dialect"
    echo "== $dialect: $DB_NAME and $REF_NAME on $DB_HOST:$DB_PORT, scale $SCALE"
    t_all=$(now)
    for db in "$DB_NAME" "$REF_NAME"; do
        fresh_database "$db"
        u=${URL%/*}/$db
        "$MENDB" -q fixtures load --database-url "$u" --scale "$SCALE" >/dev/null
        "$MENDB" -q migrate up --database-url "$u"
        drop_legacy_duplicates "$db"
    done

    echo "   loaded both in $(secs $(($(now) - t_all))) s"
    # The reference: the shipped plans in order, uninterrupted.
    declare -A REF_ROWS=()
    t0=$(now)
    for plan in $PLANS; do
        REF_ROWS[$plan]=$("$MENDB" -q backfill run "$plan" --database-url "$REF_URL" --format json |
            python3 -c 'import json, sys; print(json.load(sys.stdin)["rows"])')
    done
    echo "   reference: ${REF_ROWS[*]} rows in $(secs $(($(now) - t0))) s"

    # The SLEEP that makes a plan's first run last SPAN of the soak:
    # fill-price-gaps writes one chunk at a time (its target has no unique
    # key), the others with every worker at once. Chunks start at about
    # 0.5 s (the default --chunk-target): a restarted process starts a step
    # at the plan's chunk_size, which would otherwise be minutes of SLEEP.
    for plan in $PLANS; do
        case $plan in
        fill-price-gaps) par=1 ;;
        *) par=$((PROCS * WORKERS)) ;;
        esac
        read -r cost chunk < <(python3 -c "
row = $SOAK_SECS * $SPAN * $par / max(${REF_ROWS[$plan]}, 1)
print(f'{row / $(evals "$plan"):.5f}', min(5000, max(10, round(0.5 / row))))")
        slowed_plan "$plan" "$cost" "$chunk"
        echo "   $plan: SLEEP($cost) a row, chunks of $chunk rows"
    done

    SLOT_PLAN=() SLOT_PID=() SLOT_KILLED=()
    declare -A FIRST_RUN=()
    STARTS=0 KILLS=0 HELD=0 FAILURES=0 FINISHED=0
    s=0
    for _ in $(seq "$PROCS"); do
        for plan in $PLANS; do
            SLOT_PLAN[$s]=$plan
            : >"$work/err.$s"
            s=$((s + 1))
        done
    done
    for s in "${!SLOT_PLAN[@]}"; do start_slot "$s"; done
    t0=$(now)
    deadline=$((t0 + SOAK_SECS * 1000000000))
    next_kill=$((t0 + (KILL_MIN * 1000 + RANDOM % ((KILL_MAX - KILL_MIN) * 1000 + 1)) * 1000000))
    # Bash reports each killed job on its stderr: that goes to a file.
    {
        while (($(now) < deadline)); do
            supervise 1
            if (($(now) >= next_kill)); then
                kill_one
                next_kill=$(($(now) + (KILL_MIN * 1000 + RANDOM % ((KILL_MAX - KILL_MIN) * 1000 + 1)) * 1000000))
            fi
            sleep 0.2
        done
        echo "   soak: $KILLS kills in $SOAK_SECS s ($HELD chunks in the victims' hands), $STARTS starts"
        t1=$(now)
        while supervise 0 && ((RUNNING > 0)); do
            sleep 0.5
        done
    } 2>>"$work/jobs.log"
    echo "   drained in $(secs $(($(now) - t1))) s; $FINISHED processes finished, $FAILURES exited non-zero"
    ((FAILURES == 0)) || fail "$FAILURES processes exited non-zero without being killed"

    dups=$(cat "$work"/err.* | grep -ciE 'duplicate entry|duplicate key' || true)
    ((dups == 0)) || fail "$dups duplicate key errors"
    runs=$(check_runs) || fail "runs not finished or with another plan's steps"
    leases=$(sql -e "SELECT COUNT(*) FROM mendb_backfill_leases")
    ((leases == 0)) || fail "$leases leases left"
    echo "   state: $runs runs, all finished with their own plan's steps; $leases leases left; $dups duplicate keys"
    while read -r plan nruns chunks rows; do
        echo "   $plan: $nruns runs, $chunks chunks, $rows rows written under the kills"
    done < <(sql -e "SELECT r.plan, COUNT(DISTINCT r.id), COUNT(c.id), COALESCE(SUM(c.rows_written), 0)
        FROM mendb_backfill_runs r LEFT JOIN mendb_backfill_chunks c ON c.run_id = r.id GROUP BY r.plan ORDER BY r.plan")

    for plan in $PLANS; do
        again=$("$MENDB" -q backfill run "$plan" --database-url "$URL" --format json |
            python3 -c 'import json, sys; print(json.load(sys.stdin)["rows"])')
        echo "   $plan run again: $again rows"
        [[ $plan == refresh-ml-onchain-features || $again == 0 ]] || fail "$plan wrote $again rows on a rerun"
    done
    for plan in $PLANS; do
        got=$(fingerprint "$DB_NAME" "$plan")
        want=$(fingerprint "$REF_NAME" "$plan")
        if [[ $got == "$want" ]]; then
            echo "   $plan: target equals the reference ($got)"
        else
            fail "$plan: target $got, reference $want"
        fi
    done

    echo "   $(secs $(($(now) - t_all))) s in all"
    if [[ ${KEEP:-0} == 1 ]]; then
        echo "   kept $DB_NAME and $REF_NAME (KEEP=1)"
    else
        drop_database "$DB_NAME"
        drop_database "$REF_NAME"
    fi
done
if ((status == 0)); then
    echo "== soak passed"
fi
exit $status
