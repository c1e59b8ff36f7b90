# t9100: the desk's security: users and roles, login and session cookie,
# CSRF on every POST, failed logins slowed and audited, path traversal,
# operators kept to their stations, values shown escaped, no password in
# the database in clear.
. "$SOHOA_TOP/tests/lib.sh"
. "$SOHOA_TOP/tests/lib-web.sh"
ws_init ws capture
echo 'serve.login_delay_ms = 300' >> ws/sohoa.conf
mkdir a b
"$TOOLS/mkimg" page 'a/<img src=x onerror="alert(1)">.png' 1654 2339 200 1
"$TOOLS/mkimg" page b/b1.png 1654 2339 200 2
expect_ok "$SOHOA" -C ws ingest --station st-a --operator lan a > /dev/null
expect_ok "$SOHOA" -C ws ingest --station st-b --operator minh b > /dev/null
batch_a=$(sq ws "SELECT id FROM batches WHERE station = 'st-a'")
batch_b=$(sq ws "SELECT id FROM batches WHERE station = 'st-b'")
page_b=$(sq ws "SELECT id FROM pages WHERE batch_id = $batch_b")

# users: add, refuse bad input, list
printf 'correct horse battery\n' > pw
expect_ok "$SOHOA" -C ws user add boss --role admin --password-file pw
expect_ok "$SOHOA" -C ws user add lan --role operator --station st-a --password-file pw
expect_ok "$SOHOA" -C ws user add sup --role supervisor --password-file pw
printf 'correct horse battery\n' | expect_ok "$SOHOA" -C ws user add minh --role operator --station st-b
expect_fail "$SOHOA" -C ws user add lan --role operator --password-file pw 2> dup.err
expect_grep "user 'lan': already exists" dup.err
printf 'short\n' > short
expect_fail "$SOHOA" -C ws user add x --role operator --password-file short 2> short.err
expect_grep "at least 8 characters" short.err
expect_fail "$SOHOA" -C ws user add x --role king --password-file pw 2> role.err
expect_grep "role 'king'" role.err
"$SOHOA" -C ws user list --json > users.json
expect_eq "$(jq -c '[.users[] | [.name, .role, .stations]]' users.json)" \
	'[["boss","admin",[]],["lan","operator",["st-a"]],["minh","operator",["st-b"]],["sup","supervisor",[]]]' "user list"
# the password is not in the database in clear, only an scrypt hash
sq_dump ws > dump.sql
if grep -q 'correct horse' dump.sql; then die "password in the database in clear"; fi
expect_grep 'scrypt\$16384\$8\$1\$' dump.sql
expect_eq "$(sq ws "SELECT count(*) FROM events WHERE type = 'user management'")" 4 "user events"

web_start ws
# no session: pages redirect to the login, the API answers 401
expect_eq "$(code "$URL/batches")" 303 "page without session"
expect_eq "$(curl -s -o /dev/null -w '%{redirect_url}' "$URL/dashboard")" "$URL/login?next=%2Fdashboard" "redirect"
expect_eq "$(code "$URL/api/status")" 401 "api without session"
expect_eq "$(code "$URL/login")" 200 "login form"
expect_grep 'name="user"' body.out
expect_grep 'name="password"' body.out
expect_eq "$(code "$URL/static/style.css")" 200 "asset"

# a login POST without the login form's token (cookie and field): 403, before any password
expect_eq "$(code --data-urlencode 'user=lan' --data-urlencode 'password=correct horse battery' "$URL/login")" 403 "login without the form's token"
login_form lf.jar
expect_eq "$(code -b lf.jar --data "csrf=$(echo "$LOGIN_TOKEN" | tr 0-9a-f 1-9a-f0)" --data-urlencode 'user=lan' --data-urlencode 'password=correct horse battery' "$URL/login")" 403 "login with another token"
expect_eq "$(code --data "csrf=$LOGIN_TOKEN" --data-urlencode 'user=lan' --data-urlencode 'password=correct horse battery' "$URL/login")" 403 "login with the token but not its cookie"
grep -i 'sohoa_login' lf.jar | grep -q '/login' || die "the login token's cookie is not limited to /login"
expect_eq "$(sq ws "SELECT count(*) FROM events WHERE type = 'authentication'")" 0 "refused logins looked at no password"

# a wrong password: 401, slowed down, counted in the audit log
start=$(date +%s%N)
expect_eq "$(code -b lf.jar --data "csrf=$LOGIN_TOKEN&user=lan&password=wrong-one" "$URL/login")" 401 "wrong password"
expect_eq "$(code -b lf.jar --data "csrf=$LOGIN_TOKEN&user=lan&password=wrong-two" "$URL/login")" 401 "wrong password"
expect_eq "$(code -b lf.jar --data "csrf=$LOGIN_TOKEN&user=nobody&password=wrong-one" "$URL/login")" 401 "unknown user"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $ms -ge 900 ] || die "three failed logins took only $ms ms (expected a delay of 300 + 600 + 1200 ms)"
expect_eq "$(sq ws "SELECT count(*) FROM events WHERE type = 'authentication' AND outcome = 'failure'")" 3 "failed logins audited"
expect_eq "$(sq ws "SELECT failed FROM users WHERE name = 'lan'")" 2 "failures counted"
if grep -q 'wrong-one' dump.sql serve.err; then die "password logged"; fi

# a good login: the cookie's attributes, a session
c=$(curl -s -b lf.jar -D hdr.txt -o /dev/null -w '%{http_code}' --data "csrf=$LOGIN_TOKEN" --data-urlencode 'user=lan' --data-urlencode 'password=correct horse battery' "$URL/login")
expect_eq "$c" 303 "login"
grep -i '^set-cookie: sohoa_session=' hdr.txt > cookie.txt || die "no session cookie"
expect_grep 'HttpOnly' cookie.txt
expect_grep 'SameSite=Strict' cookie.txt
if grep -q Secure cookie.txt; then die "Secure cookie over plain HTTP"; fi
expect_eq "$(sq ws "SELECT failed FROM users WHERE name = 'lan'")" 0 "failures reset"
web_login lan.jar lan 'correct horse battery'
lan_csrf=$CSRF
web_login sup.jar sup 'correct horse battery'
sup_csrf=$CSRF
web_login boss.jar boss 'correct horse battery'
boss_csrf=$CSRF

# roles: an operator may not see the dashboard, the status API or users
expect_eq "$(code -b lan.jar "$URL/dashboard")" 403 "operator on dashboard"
expect_eq "$(code -b lan.jar "$URL/api/status")" 403 "operator on status"
expect_eq "$(code -b lan.jar "$URL/users")" 403 "operator on users"
expect_eq "$(code -b sup.jar "$URL/users")" 403 "supervisor on users"
expect_eq "$(code -b sup.jar "$URL/dashboard")" 200 "supervisor on dashboard"
expect_eq "$(code -b boss.jar "$URL/users")" 200 "admin on users"

# stations: lan (st-a) sees batch A, not batch B or its page
expect_eq "$(code -b lan.jar "$URL/batch/$batch_a")" 200 "own batch"
expect_eq "$(code -b lan.jar "$URL/batch/$batch_b")" 403 "other station's batch"
expect_eq "$(code -b lan.jar "$URL/page/$page_b")" 403 "other station's page"
expect_eq "$(curl -s -b lan.jar "$URL/api/batches" | jq -c '[.batches[].station]')" '["st-a"]' "operator's batches"
expect_eq "$(curl -s -b sup.jar "$URL/api/batches" | jq -c '[.batches[].station] | sort')" '["st-a","st-b"]' "supervisor's batches"
expect_eq "$(code -b sup.jar "$URL/batch/$batch_b")" 200 "supervisor sees every station"

# a hostile file name is shown escaped
expect_eq "$(code -b lan.jar "$URL/batch/$batch_a")" 200 "batch page"
if grep -q '<img src=x' body.out; then die "file name not escaped"; fi
expect_grep '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;.png' body.out

# CSRF: a POST without the token or with a wrong one is 403, with it works
expect_eq "$(code -b boss.jar --data 'action=add&name=eve&role=admin&password=12345678' "$URL/users")" 403 "POST without csrf"
expect_eq "$(code -b boss.jar --data "action=add&name=eve&role=admin&password=12345678&csrf=$lan_csrf" "$URL/users")" 403 "another session's csrf"
expect_eq "$(sq ws "SELECT count(*) FROM users WHERE name = 'eve'")" 0 "no user added without csrf"
expect_eq "$(code -b boss.jar --data "action=add&name=tam&role=operator&stations=st-b&password=12345678&csrf=$boss_csrf" "$URL/users")" 303 "POST with csrf"
expect_eq "$(sq ws "SELECT u.role || ' ' || s.station FROM users u JOIN user_stations s ON s.user_id = u.id WHERE u.name = 'tam'")" "operator st-b" "user added from the desk"
expect_eq "$(sq ws "SELECT agent FROM events WHERE object = 'user:tam'")" "admin:boss" "agent of the web's event"
expect_eq "$(code -b sup.jar -H "X-CSRF-Token: $sup_csrf" -X POST "$URL/logout")" 303 "logout with the header token"
expect_eq "$(code -b sup.jar "$URL/dashboard")" 303 "session gone after logout"

# path traversal, encoded or not, and absolute paths: 404
for p in '/static/../sohoa.db' '/static/%2e%2e/sohoa.db' '/static/%2E%2E%2Fsohoa.db' '/../../etc/passwd' \
	'/static//etc/passwd' '/static/..%2f..%2fetc%2fpasswd' '/static/%2fetc%2fpasswd' '/batch/1/../2' '/static/.' '/%2e%2e/'; do
	expect_eq "$(code --path-as-is -b lan.jar "$URL$p")" 404 "traversal $p"
done
expect_eq "$(code -b lan.jar "$URL/no-such-page")" 404 "unknown page"
expect_eq "$(code -b lan.jar -X DELETE "$URL/batches")" 405 "wrong method"

# a disabled user's session ends at once
expect_ok "$SOHOA" -C ws user disable lan
expect_eq "$(code -b lan.jar "$URL/batches")" 303 "disabled user's session"
login_form lf.jar
expect_eq "$(code -b lf.jar --data "csrf=$LOGIN_TOKEN" --data-urlencode 'user=lan' --data-urlencode 'password=correct horse battery' "$URL/login")" 401 "disabled user's login"
web_stop

# an idle session ends after serve.idle_timeout seconds
echo 'serve.idle_timeout = 2' >> ws/sohoa.conf
web_start ws
web_login sup.jar sup 'correct horse battery'
expect_eq "$(code -b sup.jar "$URL/api/whoami")" 200 "fresh session"
sleep 3
expect_eq "$(code -b sup.jar "$URL/api/whoami")" 401 "idle session"
web_stop
