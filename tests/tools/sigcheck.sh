#!/bin/sh
# sigcheck.sh SIGNED.pdf CA.pem - third-party checks of a signed PDF.
#
# Checks, each with a line "ok: ..." or "FAIL: ...":
#  1. Poppler's pdfsig: "Signature is Valid", "Total document signed" and,
#     with the CA in a throw-away NSS database (certutil, libnss3-tools),
#     "Certificate is Trusted";
#  2. openssl cms -verify of the last signature's CMS over the bytes of its
#     /ByteRange, against CA.pem;
#  3. qpdf --check;
#  4. tamper: one byte changed inside the ByteRange of a copy makes both
#     pdfsig and openssl cms -verify fail.
# Exit 0 when everything passed, 1 otherwise, 2 on bad usage or a missing
# tool.  Works in its own temporary folder, removed at exit.
set -u
[ $# -eq 2 ] || { echo "usage: sigcheck.sh SIGNED.pdf CA.pem" >&2; exit 2; }
pdf=$1 ca=$2
for t in pdfsig qpdf openssl python3; do
	command -v $t >/dev/null 2>&1 || { echo "sigcheck: missing tool '$t'" >&2; exit 2; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sigcheck.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# split PDF: the bytes of the last signature's ByteRange, and its CMS
split() {
	python3 - "$1" "$2" "$3" <<'PY'
import re, sys
d = open(sys.argv[1], "rb").read()
m = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", d))
if not m:
    sys.exit("no /ByteRange")
a0, a1, b0, b1 = map(int, m[-1].groups())
open(sys.argv[2], "wb").write(d[a0:a0 + a1] + d[b0:b0 + b1])
hexs = d[a0 + a1 + 1:b0 - 1].decode()
open(sys.argv[3], "wb").write(bytes.fromhex(hexs))
PY
}

nss=""
if command -v certutil >/dev/null 2>&1; then
	mkdir "$tmp/nss" && certutil -N -d "sql:$tmp/nss" --empty-password >/dev/null 2>&1 &&
		certutil -A -d "sql:$tmp/nss" -n sohoa-test-ca -t "CT,C,C" -i "$ca" >/dev/null 2>&1 &&
		nss="-nssdir sql:$tmp/nss"
	[ -n "$nss" ] || bad "cannot make an NSS database with '$ca'"
else
	echo "skip: certutil (libnss3-tools) missing: pdfsig cannot check the chain"
fi

# 1. pdfsig
pdfsig $nss "$pdf" > "$tmp/pdfsig.out" 2>&1
if grep -q "Signature Validation: Signature is Valid" "$tmp/pdfsig.out" &&
   ! grep -q "Signature Validation: [^S]" "$tmp/pdfsig.out"; then ok "pdfsig: signature is valid"
else bad "pdfsig: signature not valid"; cat "$tmp/pdfsig.out"; fi
if grep -q "Total document signed" "$tmp/pdfsig.out"; then ok "pdfsig: total document signed"
else bad "pdfsig: the last signature does not cover the whole document"; fi
if [ -n "$nss" ]; then
	if grep -q "Certificate Validation: Certificate is Trusted" "$tmp/pdfsig.out"; then ok "pdfsig: certificate is trusted"
	else bad "pdfsig: certificate not trusted"; grep "Certificate Validation" "$tmp/pdfsig.out"; fi
fi

# 2. openssl cms over the ByteRange
if split "$pdf" "$tmp/content" "$tmp/sig.der"; then
	if openssl cms -verify -binary -inform DER -in "$tmp/sig.der" -content "$tmp/content" -CAfile "$ca" -out /dev/null 2>"$tmp/cms.err"; then
		ok "openssl cms -verify"
	else bad "openssl cms -verify"; cat "$tmp/cms.err"; fi
else
	bad "cannot find the ByteRange in '$pdf'"
fi

# 3. qpdf
if qpdf --check "$pdf" > "$tmp/qpdf.out" 2>&1; then ok "qpdf --check"
else bad "qpdf --check"; cat "$tmp/qpdf.out"; fi

# 4. one byte changed inside the ByteRange: both must fail
cp "$pdf" "$tmp/tampered.pdf"
python3 - "$tmp/tampered.pdf" <<'PY'
import re, sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
# a byte in the middle of the last signature's first range
m = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)", d))[-1]
i = int(m.group(2)) // 2
d[i] = ord("A") if d[i] != ord("A") else ord("B")
open(p, "wb").write(d)
PY
pdfsig $nss "$tmp/tampered.pdf" > "$tmp/pdfsig2.out" 2>&1
if grep -q "Signature is Valid" "$tmp/pdfsig2.out"; then bad "pdfsig still says valid after one byte changed"
else ok "pdfsig: tampered copy rejected ($(grep 'Signature Validation' "$tmp/pdfsig2.out" | head -n 1 | sed 's/.*: //'))"; fi
if split "$tmp/tampered.pdf" "$tmp/content2" "$tmp/sig2.der" &&
   openssl cms -verify -binary -inform DER -in "$tmp/sig2.der" -content "$tmp/content2" -CAfile "$ca" -out /dev/null 2>/dev/null; then
	bad "openssl cms -verify still succeeds after one byte changed"
else ok "openssl cms -verify: tampered copy rejected"; fi

[ "$fails" = 0 ] && { echo "sigcheck: all passed"; exit 0; }
echo "sigcheck: $fails failed"
exit 1
