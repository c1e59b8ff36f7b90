#!/bin/sh
# pg.sh CMD [ARG...] - run CMD against a throw-away PostgreSQL cluster.
#
# The cluster (initdb + pg_ctl from Debian's postgresql package) lives in a
# temporary folder, listens only on a Unix socket there, trusts local
# connections and is stopped and removed when CMD ends (trap).  Run as root,
# the server runs as the unprivileged 'postgres' account (PostgreSQL refuses
# root), its superuser named after the caller.  CMD sees
#   SOHOA_PG_URL=postgresql:///sohoa?host=DIR   (an empty database 'sohoa')
# SOHOA_PG_NEWDB, a command that prints the URL of one more empty database,
# and SOHOA_PG_PWURL, a database whose role must give the password
# 'pw-only-in-a-file' (scram-sha-256).
set -eu
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "pg.sh: no initdb under /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2; exit 1; }
me=$(id -un)
dir=$(mktemp -d "${TMPDIR:-/tmp}/pg.XXXXXX")
as() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then
	id postgres > /dev/null 2>&1 || { echo "pg.sh: no 'postgres' account to run the server as" >&2; exit 1; }
	chown postgres "$dir"
	chmod 755 "$dir"
fi
stop() {
	as "$bindir/pg_ctl" -D "$dir/data" -m immediate stop > /dev/null 2>&1 || true
	rm -rf "$dir"
}
trap stop EXIT
trap 'exit 1' INT TERM HUP
as "$bindir/initdb" -D "$dir/data" -U "$me" --auth=trust -E UTF8 --locale=C.UTF-8 > "$dir/initdb.log" 2>&1 ||
	{ cat "$dir/initdb.log" >&2; exit 1; }
# one role that must give a password (for tests of db.passfile), the rest trusted
{ echo "local all sohoa_pw scram-sha-256"; cat "$dir/data/pg_hba.conf"; } > "$dir/hba" && as cp "$dir/hba" "$dir/data/pg_hba.conf"
as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-k $dir -c listen_addresses= -c fsync=off -c max_connections=200" start > /dev/null ||
	{ cat "$dir/server.log" >&2; exit 1; }
"$bindir/createdb" -h "$dir" -U "$me" sohoa
"$bindir/psql" -X -q -h "$dir" -U "$me" -d sohoa -c "CREATE ROLE sohoa_pw LOGIN PASSWORD 'pw-only-in-a-file'" > /dev/null
"$bindir/createdb" -h "$dir" -U "$me" -O sohoa_pw sohoa_pw
SOHOA_PG_PWURL="postgresql:///sohoa_pw?host=$dir&user=sohoa_pw"
export SOHOA_PG_PWURL
SOHOA_PG_URL="postgresql:///sohoa?host=$dir&user=$me"
export SOHOA_PG_URL
# one more empty database per call, for tests that need several workspaces
cat > "$dir/newdb" <<NEWDB
#!/bin/sh
n=\$(mktemp -u db_XXXXXX | tr 'A-Z' 'a-z')
"$bindir/createdb" -h "$dir" -U "$me" "\$n" && echo "postgresql:///\$n?host=$dir&user=$me"
NEWDB
chmod 755 "$dir/newdb"
SOHOA_PG_NEWDB="$dir/newdb"
export SOHOA_PG_NEWDB
rc=0
"$@" || rc=$?
exit $rc
