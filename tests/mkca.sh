#!/bin/sh
# mkca.sh OUTDIR [ORG_NAME [ORG]] - a throw-away CA and the organisation's
# signing certificate, for the tests and the demo.  No key made here is ever
# committed: OUTDIR should be a temporary folder.
#
# Writes into OUTDIR (made if missing, mode 700):
#   ca.pem, ca.key       the CA (basicConstraints CA:TRUE; the trust store)
#   org.pem, org.key     the organisation's certificate and key (RSA 2048,
#                        key usage digitalSignature + nonRepudiation,
#                        CN = ORG_NAME, O = ORG, C = VN); org.key mode 600
#   org.p12, org.pin     the same key and certificate (and the CA) as PKCS#12,
#                        its passphrase in org.pin; both mode 600
#   tsa.pem, tsa.key     a time-stamp authority signed by the CA
#                        (extendedKeyUsage critical timeStamping), for
#                        tests/tools/tsa-server.py OUTDIR
# and prints the sohoa.conf lines that use them.  ORG_NAME defaults to
# "Sở Nội vụ tỉnh Quảng Nam"; ORG to "Ủy ban nhân dân tỉnh Quảng Nam".
# Exit 0, or 1 with the failing step named on stderr.
set -eu
[ $# -ge 1 ] && [ $# -le 3 ] || { echo "usage: mkca.sh OUTDIR [ORG_NAME [ORG]]" >&2; exit 2; }
out=$1
name=${2:-Sở Nội vụ tỉnh Quảng Nam}
org=${3:-Ủy ban nhân dân tỉnh Quảng Nam}
command -v openssl >/dev/null 2>&1 || { echo "mkca: openssl is missing" >&2; exit 1; }
case "$name$org" in *'/'*|*'\'*|*'"'*) echo "mkca: '/', '\\' and '\"' are not allowed in the names" >&2; exit 2 ;; esac
umask 077
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$out"

fail() { echo "mkca: $*" >&2; exit 1; }
cat > ext.cnf <<'EOF'
[ ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ org ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ tsa ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

# key PATH: an RSA 2048 key, mode 600 (umask 077)
key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null || fail "cannot make key '$1'"; chmod 600 "$1"; }
# cert NAME SUBJECT SECTION: NAME.pem from NAME.key, signed by the CA
cert() {
	openssl req -new -utf8 -key "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null || fail "cannot make the request for '$1'"
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" \
		-days 3650 -sha256 -extfile ext.cnf -extensions "$3" -out "$1.pem" 2>/dev/null || fail "cannot sign the certificate '$1'"
	rm -f "$1.csr"
}

key ca.key
openssl req -new -x509 -utf8 -key ca.key -subj "/C=VN/O=sohoa test CA (throw-away)/CN=sohoa test root CA" \
	-days 3650 -sha256 -config ext.cnf -extensions ca -out ca.pem 2>/dev/null || fail "cannot make the CA certificate"
key org.key
cert org "/C=VN/O=$org/CN=$name" org
key tsa.key
cert tsa "/C=VN/O=sohoa test CA (throw-away)/CN=sohoa test TSA" tsa
openssl rand -hex 12 > org.pin
openssl pkcs12 -export -inkey org.key -in org.pem -certfile ca.pem -name "$name" \
	-passout file:org.pin -out org.p12 2>/dev/null || fail "cannot make org.p12"
chmod 600 org.key org.p12 org.pin ca.key tsa.key
chmod 644 ca.pem org.pem tsa.pem
rm -f ext.cnf

cat <<EOF
# sohoa.conf lines for the throw-away organisation certificate in $out
sign.key = $out/org.key
sign.cert = $out/org.pem
sign.org_name = $name
sign.trust = $out/ca.pem
verify.trust = $out/ca.pem
# or the PKCS#12 file: sign.key = $out/org.p12, sign.pin_file = $out/org.pin, no sign.cert
EOF
