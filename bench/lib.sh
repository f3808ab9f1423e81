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
