# Shared by the benchmark scripts: database URLs, clients, clocks.
# Source it from the repository root: `source bench/lib.sh`.

# Splits scheme://user[:password]@host[:port]/database into DB_USER,
# DB_PASS, DB_HOST, DB_PORT (default $2) and DB_NAME; exits 2 otherwise.
parse_db_url() {
    local url=$1 default_port=$2
    local re='^[a-z]+://([^:@/]+)(:([^@/]*))?@([^:/?]+)(:([0-9]+))?/([A-Za-z0-9_]+)$'
    if [[ ! $url =~ $re ]]; then
        echo "expected scheme://user[:password]@host[:port]/database, got $url" >&2
        exit 2
    fi
    DB_USER=${BASH_REMATCH[1]}
    DB_PASS=${BASH_REMATCH[3]}
    DB_HOST=${BASH_REMATCH[4]}
    DB_PORT=${BASH_REMATCH[6]:-$default_port}
    DB_NAME=${BASH_REMATCH[7]}
}

# Nanoseconds since the epoch; differences printed as seconds.
now() { date +%s%N; }
secs() { printf '%d.%03d' $(($1 / 1000000000)) $(($1 / 1000000 % 1000)); }

# Waits (up to 120 s) until MariaDB has written out its dirty pages, so the
# next contender does not pay for the last one's writes. An idle server may
# keep them for long: the page cleaner is asked to write them all, then the
# setting is restored. $1: a function that runs the mariadb client with its
# arguments, connected to the server.
flush_dirty_pages() {
    local client=$1 dirty pct
    pct=$("$client" -e "SELECT @@GLOBAL.innodb_max_dirty_pages_pct")
    "$client" -e "SET GLOBAL innodb_max_dirty_pages_pct = 0"
    for _ in $(seq 120); do
        dirty=$("$client" -e "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'" | awk '{print $2}')
        ((dirty < 100)) && break
        sleep 1
    done
    "$client" -e "SET GLOBAL innodb_max_dirty_pages_pct = $pct"
}

# Selects the database of URL $2 for the helpers below; $1: mysql or
# postgres. Sets DIALECT, URL and DB_*; passwords travel in the
# environment, never on a command line.
use_db() {
    DIALECT=$1
    URL=$2
    case $1 in
    mysql)
        parse_db_url "$URL" 3306
        export MYSQL_PWD=$DB_PASS
        ;;
    postgres)
        parse_db_url "$URL" 5432
        export PGPASSWORD=$DB_PASS PGOPTIONS="-c client_min_messages=warning"
        ;;
    *)
        echo "unknown database kind $1 (expected mysql or postgres)" >&2
        exit 2
        ;;
    esac
}

# Selects $1 (mysql or postgres) at the script's MYSQL_URL or POSTGRES_URL.
pick_db() {
    case $1 in
    mysql) use_db mysql "$MYSQL_URL" ;;
    postgres) use_db postgres "$POSTGRES_URL" ;;
    *) use_db "$1" "" ;;
    esac
}

# Runs SQL (stdin, or -e SQL) in database $1 ('' for none on MariaDB, the
# maintenance database on PostgreSQL), printing rows tab-separated without
# headers.
sql_in() {
    local db=$1
    shift
    case $DIALECT in
    mysql) mariadb --host="$DB_HOST" --port="$DB_PORT" --user="$DB_USER" --batch --skip-column-names ${db:+"$db"} "$@" ;;
    postgres)
        local args=()
        [[ ${1:-} == -e ]] && args=(-c "$2")
        psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "${db:-postgres}" -qtAX -F $'\t' -v ON_ERROR_STOP=1 "${args[@]}"
        ;;
    esac
}

# The same in the selected database, and on the server.
sql() { sql_in "$DB_NAME" "$@"; }
server_sql() { sql_in '' "$@"; }

create_database() {
    case $DIALECT in
    mysql) sql_in '' -e "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\`" ;;
    postgres)
        if [[ -z $(sql_in postgres -e "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") ]]; then
            sql_in postgres -e "CREATE DATABASE $DB_NAME"
        fi
        ;;
    esac
}

drop_database() {
    case $DIALECT in
    mysql) sql_in '' -e "DROP DATABASE \`$DB_NAME\`" ;;
    postgres) sql_in postgres -e "DROP DATABASE $DB_NAME" ;;
    esac
}

# Waits until the server has written out what the last contender left.
settle_server() {
    case $DIALECT in
    mysql) flush_dirty_pages server_sql ;;
    postgres) sql -e "CHECKPOINT" >/dev/null ;;
    esac
}
