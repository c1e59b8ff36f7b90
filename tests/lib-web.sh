# lib-web.sh - helpers for the desk's end-to-end tests (sourced after lib.sh).
# web_start WS: start `sohoa serve` on a free port of 127.0.0.1, set $URL
# and $WEB_PID; web_stop stops it.  web_login JAR USER PASSWORD: a session
# in a curl cookie jar (through the login form and its token), its CSRF
# token in $CSRF.
command -v curl > /dev/null || skip "curl is not installed (make deps installs it)"
web_start() {
	# no old address may be read before the new server has written its own
	rm -f serve.out serve.err
	"$SOHOA" -C "$1" serve --listen 127.0.0.1:0 > serve.out 2> serve.err &
	WEB_PID=$!
	trap 'kill $WEB_PID 2> /dev/null' EXIT   # a test that dies leaves no server behind
	for i in $(seq 1 100); do
		URL=$(sed -n 's|^listening on \(http[s]*://[0-9.:]*\)/$|\1|p' serve.out 2> /dev/null)
		[ -n "$URL" ] && return 0
		kill -0 $WEB_PID 2> /dev/null || { cat serve.err; die "serve did not start"; }
		sleep 0.1
	done
	die "serve did not print its address"
}
web_stop() {
	kill -TERM $WEB_PID 2> /dev/null
	wait $WEB_PID || die "serve exit status after SIGTERM"
}
# code ARGS...: the HTTP status of a curl request
code() { curl -sk -o body.out -w '%{http_code}' "$@"; }
# login_form JAR: GET the login form into a new cookie jar; its token in $LOGIN_TOKEN
login_form() {
	rm -f "$1"
	LOGIN_TOKEN=$(curl -sk -c "$1" "$URL/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p')
	[ ${#LOGIN_TOKEN} = 64 ] || die "the login form has no token"
}
web_login() {
	login_form "$1"
	c=$(code -c "$1" -b "$1" --data "csrf=$LOGIN_TOKEN" --data-urlencode "user=$2" --data-urlencode "password=$3" "$URL/login")
	[ "$c" = 303 ] || { cat body.out; die "login $2: status $c"; }
	CSRF=$(curl -sk -b "$1" "$URL/api/whoami" | jq -r .csrf)
	[ ${#CSRF} = 64 ] || die "login $2: no csrf token"
}
