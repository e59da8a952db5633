#!/usr/bin/env bash
# The PostgreSQL comparison for LedgerCore's load run: starts a private, durable PostgreSQL cluster
# in a temporary directory on a free loopback port, creates the account/transfer schema
# (schema.sql), loads ACCOUNTS accounts, drives create_transfer with pgbench for DURATION seconds
# at each client count, then the batched variant, prints transfers/s and stops the server.
#
#   bash bench/postgres/run.sh
#
# Environment (all optional):
#   ACCOUNTS=100000   accounts 1..N (ledger 1, no limit flags), like the load run's default
#   DURATION=30       seconds per pgbench run
#   CLIENTS="1 16"    client counts to run, each with -j min(clients, JOBS)
#   JOBS=2            pgbench worker threads at most (the machine this was written on has 2 cores)
#   BATCH=100         transfers per transaction in the batched runs; 0 skips them
#   CONNECT=socket    socket: pgbench talks to the server over its Unix socket; tcp: over 127.0.0.1
#   PORT=55432        first port tried; the next free one up to PORT+99 is used
#
# Output: one line per run, e.g. "postgres clients=16: 2345 transfers/s (...)", a consistency check,
# and last "postgres best: N transfers/s (...)". Progress and pgbench's own output go to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
accounts=${ACCOUNTS:-100000}
duration=${DURATION:-30}
clients_list=${CLIENTS:-"1 16"}
jobs_max=${JOBS:-2}
batch=${BATCH:-100}
connect=${CONNECT:-socket}
port_from=${PORT:-55432}

log() { echo "$*" >&2; }
die() { log "run.sh: $*"; exit 1; }

[[ $accounts =~ ^[0-9]+$ && $accounts -ge 2 ]] || die "ACCOUNTS must be a whole number >= 2"
[[ $duration =~ ^[0-9]+$ && $duration -ge 1 ]] || die "DURATION must be a whole number of seconds >= 1"
[[ $batch =~ ^[0-9]+$ ]] || die "BATCH must be a whole number (0 = no batched runs)"
[[ $connect == socket || $connect == tcp ]] || die "CONNECT must be socket or tcp"

# --- the server binaries: newest /usr/lib/postgresql/*/bin, installed from the Debian package if missing

find_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [[ -n $dir && -x $dir/initdb && -x $dir/pg_ctl && -x $dir/postgres ]] && echo "$dir"
    return 0
}

bin=$(find_bin)
if [[ -z $bin ]]; then
    (( EUID == 0 )) || die "no PostgreSQL server under /usr/lib/postgresql/*/bin; run as root to install it, or apt-get install postgresql"
    log "installing the postgresql package..."
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y postgresql >&2; then
        apt-get update >&2
        apt-get install -y postgresql >&2
    fi
    bin=$(find_bin)
    [[ -n $bin ]] || die "postgresql installed, but no server binaries under /usr/lib/postgresql/*/bin"
fi
psql=$bin/psql
pgbench=$bin/pgbench
[[ -x $psql ]] || psql=$(command -v psql) || die "psql not found"
[[ -x $pgbench ]] || pgbench=$(command -v pgbench) || die "pgbench not found"

# --- the private cluster, removed on any exit

# The server refuses to run as root: as root, run it as the postgres OS user.
as_server=()
if (( EUID == 0 )); then
    id postgres >/dev/null 2>&1 || die "running as root but there is no postgres OS user"
    as_server=(runuser -u postgres --)
fi

tmp=$(mktemp -d -t ledgercore-pg.XXXXXX)
data=$tmp/data
sock=$tmp/sock
server_log=$tmp/server.log
started=""

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $started ]]; then
        log "stopping the server..."
        "${as_server[@]}" "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || log "warning: pg_ctl stop failed"
    fi
    cd /
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$sock"
(( EUID == 0 )) && chown -R postgres: "$tmp"
cd "$tmp"   # the server's user must be able to stand in the working directory

log "initdb into $data ($("$bin/postgres" --version))"
"${as_server[@]}" "$bin/initdb" -D "$data" -U bench --auth=trust -E UTF8 --locale=C >"$tmp/initdb.log" 2>&1 \
    || { cat "$tmp/initdb.log" >&2; die "initdb failed"; }

# Sized for a 2-core / 24 GiB machine shared with other work. Durability stays at the defaults:
# fsync=on, synchronous_commit=on, full_page_writes=on, wal_sync_method=fdatasync, commit_delay=0.
cat >>"$data/postgresql.conf" <<'EOF'

# --- LedgerCore bench/postgres/run.sh ---
max_connections = 40
shared_buffers = 2GB
effective_cache_size = 12GB
wal_buffers = 64MB
max_wal_size = 16GB
min_wal_size = 1GB
checkpoint_timeout = 30min
checkpoint_completion_target = 0.9
random_page_cost = 1.1
autovacuum_vacuum_scale_factor = 0.05
EOF

server_port=""
for (( port = port_from; port < port_from + 100; port++ )); do
    if ss -Htln "sport = :$port" 2>/dev/null | grep -q .; then continue; fi
    : >"$server_log"
    (( EUID == 0 )) && chown postgres: "$server_log"
    if "${as_server[@]}" "$bin/pg_ctl" -D "$data" -l "$server_log" -w -t 60 \
        -o "-p $port -k $sock -c listen_addresses=127.0.0.1" start >/dev/null 2>&1; then
        server_port=$port
        started=1
        break
    fi
    grep -qi "address already in use\|could not bind" "$server_log" || { cat "$server_log" >&2; die "the server did not start"; }
done
[[ -n $server_port ]] || die "no free port from $port_from to $((port_from + 99))"

if [[ $connect == tcp ]]; then host=127.0.0.1; else host=$sock; fi
conn=(-h "$host" -p "$server_port" -U bench)
sql() { "$psql" "${conn[@]}" -X -q -v ON_ERROR_STOP=1 -At "$@" -d bench; }

"$psql" "${conn[@]}" -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE bench"
log "server up on 127.0.0.1:$server_port (clients over $connect): $(sql -c "SELECT string_agg(name || '=' || current_setting(name), ' ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'shared_buffers')")"

sql -f "$here/schema.sql"
log "loading $accounts accounts..."
sql -c "SELECT load_accounts($accounts)" >/dev/null
sql -c "VACUUM ANALYZE"

# --- the batched pgbench script: BATCH random transfers per transaction, written out here because
# pgbench has no loops. Ids: :run * 2^50 + :client_id * 2^40 + a per-client counter, as in transfer.pgbench.
# It runs in pgbench's simple query mode: prepared statements take at most 255 arguments, and a
# batch has 4 per transfer. (Parsing one call per 100 transfers costs little next to the transfers.)

batch_script=$tmp/transfer_batch.pgbench
if (( batch > 0 )); then
    {
        echo "\\set n :n + 1"
        echo "\\set base :run * 1125899906842624 + :client_id * 1099511627776 + :n * $batch"
        for (( i = 0; i < batch; i++ )); do
            echo "\\set d$i random(1, :accounts)"
            echo "\\set c$i random(1, :accounts - 1)"
            echo "\\if :c$i >= :d$i"
            echo "\\set c$i :c$i + 1"
            echo "\\endif"
            echo "\\set a$i random(1, 1000)"
            echo "\\set i$i :base + $i"
        done
        ids="" debits="" credits="" amounts=""
        for (( i = 0; i < batch; i++ )); do
            sep=${ids:+, }
            ids+="$sep:i$i"; debits+="$sep:d$i"; credits+="$sep:c$i"; amounts+="$sep:a$i"
        done
        echo "SELECT count(*) FROM create_transfers(ARRAY[$ids]::numeric[], ARRAY[$debits]::numeric[], ARRAY[$credits]::numeric[], ARRAY[$amounts]::numeric[], 1, 1);"
    } >"$batch_script"
fi

# --- the runs

run=0
best=0
best_label=""

# bench LABEL SCRIPT TRANSFERS_PER_TX CLIENTS QUERY_MODE
bench() {
    local label=$1 script=$2 per_tx=$3 clients=$4 mode=$5
    local jobs=$(( clients < jobs_max ? clients : jobs_max ))
    run=$((run + 1))
    sql -c "CHECKPOINT"
    local wal_start
    wal_start=$(sql -c "SELECT pg_current_wal_lsn()")
    log "pgbench $label: ${duration}s, $clients clients, $jobs threads..."
    local out
    out=$("$pgbench" "${conn[@]}" -n -M "$mode" -T "$duration" -c "$clients" -j "$jobs" \
        -D accounts="$accounts" -D run="$run" -D n=0 -f "$script" bench 2>&1) || { echo "$out" >&2; die "pgbench failed"; }
    echo "$out" >&2

    local tps processed latency committed transfers wal_bytes
    wal_bytes=$(sql -c "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$wal_start')")
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out" | head -n 1)
    processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
    latency=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' <<<"$out")
    [[ -n $tps && -n $processed ]] || die "could not read tps from pgbench's output"
    committed=$(sql -c "SELECT count(*) FROM transfers WHERE id >= $run * 1125899906842624::numeric AND id < ($run + 1) * 1125899906842624::numeric")
    (( committed == processed * per_tx )) \
        || log "warning: $committed transfers committed, expected $((processed * per_tx)) ($processed transactions x $per_tx): some returned a result other than ok"
    transfers=$(awk -v t="$tps" -v c="$committed" -v p="$processed" 'BEGIN { printf "%.0f", (p > 0 ? t * c / p : 0) }')

    local detail="$(printf '%.1f' "$tps") tx/s"
    (( per_tx > 1 )) && detail+=" of $per_tx transfers"
    detail+=", latency avg $latency ms, $committed transfers in ${duration}s"
    (( committed > 0 )) && detail+=", WAL $(awk -v w="$wal_bytes" -v c="$committed" 'BEGIN { printf "%.0f", w / c }') B/transfer"
    echo "postgres $label: $transfers transfers/s ($detail)"
    if (( transfers > best )); then best=$transfers; best_label=$label; fi
}

for c in $clients_list; do
    bench "clients=$c" "$here/transfer.pgbench" 1 "$c" prepared
done
if (( batch > 0 )); then
    for c in $clients_list; do
        bench "batch=$batch clients=$c" "$batch_script" "$batch" "$c" simple
    done
fi

# Double entry: per ledger, debits posted = credits posted = the sum of the transfers' amounts.
check=$(sql -c "SELECT (SELECT sum(debits_posted) FROM accounts) = (SELECT sum(credits_posted) FROM accounts)
                   AND (SELECT sum(debits_posted) FROM accounts) = (SELECT coalesce(sum(amount), 0) FROM transfers)")
[[ $check == t ]] || die "consistency check failed: debits, credits and transfer amounts disagree"
echo "postgres check: $(sql -c "SELECT count(*) FROM transfers") transfers, debits posted = credits posted = sum of amounts"
echo "postgres best: $best transfers/s ($best_label)"
