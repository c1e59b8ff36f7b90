#!/bin/sh
# deps.sh PKG... - install the Debian packages that are missing (as root), or
# print the exact command to run (as anyone else).  Used by `make deps`.
missing=""
for p in "$@"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "deps: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	# another apt (a second `make` at once, unattended-upgrades) holds the
	# lock for a while: wait for it rather than fail
	lock="-o DPkg::Lock::Timeout=600"
	apt-get $lock update -qq >&2 || { echo "deps: apt-get update failed" >&2; exit 1; }
	apt-get $lock install -y -qq --no-install-recommends $missing >&2 || { echo "deps: apt-get install failed for:$missing" >&2; exit 1; }
else
	echo "deps: missing Debian packages; run as root:" >&2
	echo "  apt-get install --no-install-recommends$missing" >&2
	exit 1
fi
