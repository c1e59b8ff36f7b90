#!/usr/bin/env python3
"""pkgtool.py - hostile variants of an E-ARK package for the verify tests.

  pkgtool.py fixsums DIR        recompute SIZE and CHECKSUM of every file and
                                mdRef in DIR's METS files (representation METS
                                first, then the root), so that only the change
                                under test is wrong
  pkgtool.py zip DIR OUT.zip    zip DIR as one root folder; a symbolic link in
                                DIR is stored as a link (Unix mode 0120777)
  pkgtool.py bomb IN.zip OUT.zip MEMBER MIB
                                copy IN.zip with MEMBER (a path below the root
                                folder) replaced by MIB MiB of zeros (deflated:
                                a few KiB); METS is left as it was
  pkgtool.py dupref DIR N       repeat the first <file> of the representation
                                METS N times (same FLocat, new IDs)
"""
import hashlib, os, re, sys, zipfile
from urllib.parse import unquote

def sha(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for b in iter(lambda: f.read(1 << 16), b''):
            h.update(b)
    return h.hexdigest().upper()

def fix_mets(mets):
    base = os.path.dirname(mets)
    text = open(mets, encoding='utf-8').read()
    def fix(m):
        el = m.group(0)
        href = re.search(r'xlink:href="([^"]*)"', el) or re.search(r'xlink:href="([^"]*)"', m.string[m.end():m.end() + 2000])
        if not href:
            return el
        p = os.path.join(base, unquote(href.group(1)))
        if not os.path.lexists(p) or os.path.isdir(p):
            return el
        if os.path.islink(p):
            data = os.readlink(p).encode()
            size, digest = len(data), hashlib.sha256(data).hexdigest().upper()
        else:
            size, digest = os.path.getsize(p), sha(p)
        el = re.sub(r'SIZE="\d*"', 'SIZE="%d"' % size, el)
        return re.sub(r'CHECKSUM="[0-9A-Fa-f]*"', 'CHECKSUM="%s"' % digest, el)
    text = re.sub(r'<(?:mets:)?(?:file|mdRef)\b[^>]*>', fix, text)
    open(mets, 'w', encoding='utf-8').write(text)

def main(a):
    if a[0] == 'fixsums':
        d = a[1]
        reps = os.path.join(d, 'representations')
        for r in sorted(os.listdir(reps)) if os.path.isdir(reps) else []:
            m = os.path.join(reps, r, 'METS.xml')
            if os.path.isfile(m):
                fix_mets(m)
        fix_mets(os.path.join(d, 'METS.xml'))
    elif a[0] == 'zip':
        d, out = a[1].rstrip('/'), a[2]
        root = os.path.basename(d)
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
            for top, dirs, files in os.walk(d):
                dirs.sort()
                for f in sorted(files):
                    p = os.path.join(top, f)
                    name = root + '/' + os.path.relpath(p, d)
                    if os.path.islink(p):
                        zi = zipfile.ZipInfo(name)
                        zi.create_system = 3
                        zi.external_attr = 0o120777 << 16
                        z.writestr(zi, os.readlink(p))
                    else:
                        z.write(p, name)
    elif a[0] == 'bomb':
        src, out, member, mib = a[1], a[2], a[3], int(a[4])
        with zipfile.ZipFile(src) as zi, zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as zo:
            for info in zi.infolist():
                if info.filename.split('/', 1)[-1] == member:
                    with zo.open(info.filename, 'w', force_zip64=True) as w:
                        chunk = bytes(1 << 20)
                        for _ in range(mib):
                            w.write(chunk)
                else:
                    zo.writestr(info.filename, zi.read(info))
    elif a[0] == 'dupref':
        m = os.path.join(a[1], 'representations/rep1/METS.xml')
        text = open(m, encoding='utf-8').read()
        f = re.search(r'<(?:mets:)?file\b.*?</(?:mets:)?file>', text, re.S).group(0)
        copies = ''.join(re.sub(r'ID="([^"]*)"', lambda x: 'ID="%s-dup%d"' % (x.group(1), i), f, count=1) for i in range(int(a[2])))
        open(m, 'w', encoding='utf-8').write(text.replace(f, f + copies, 1))
    else:
        sys.exit(__doc__)

if __name__ == '__main__':
    main(sys.argv[1:])
