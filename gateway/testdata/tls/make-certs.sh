#!/bin/sh
# Regenerates the test certificates (run once; the output is committed). Needs openssl >= 1.1.1.
set -eu
cd "$(dirname "$0")"
days=36500
ca() { # name subject
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.crt" -days $days -subj "$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}
leaf() { # name ca subject san extendedKeyUsage [startdate enddate]
  openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$3" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nsubjectAltName=%s\nextendedKeyUsage=%s\n' "$4" "$5" > "$1.ext"
  if [ $# -ge 7 ]; then
    # An expired certificate: `openssl ca` takes explicit start and end dates.
    mkdir -p ca-db && : > ca-db/index.txt && echo 1000 > ca-db/serial
    printf '[ca]\ndefault_ca=d\n[d]\ndatabase=ca-db/index.txt\nserial=ca-db/serial\nnew_certs_dir=ca-db\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n' > ca-db/ca.cnf
    openssl ca -batch -config ca-db/ca.cnf -cert "$2.crt" -keyfile "$2.key" -in "$1.csr" -out "$1.crt" \
      -startdate "$6" -enddate "$7" -extfile "$1.ext" -notext 2>/dev/null
    rm -rf ca-db
  else
    openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -out "$1.crt" -days $days -extfile "$1.ext" 2>/dev/null
  fi
  rm -f "$1.csr" "$1.ext" "$2.srl"
}
ca ca "/CN=wasmgate test CA"
ca other-ca "/CN=wasmgate other CA"
leaf a.example.com ca "/CN=a.example.com" "DNS:a.example.com,URI:spiffe://example.com/gateway" serverAuth
leaf wild.example.com ca "/CN=*.wild.example.com" "DNS:*.wild.example.com" serverAuth
leaf default ca "/CN=default.example.com" "DNS:default.example.com" serverAuth
leaf upstream ca "/CN=upstream.test" "DNS:upstream.test,DNS:localhost,IP:127.0.0.1" serverAuth
leaf client-good ca "/O=Example/OU=payments/CN=client-good" "URI:spiffe://example.com/ns/payments/sa/client,DNS:client.example.com" clientAuth
leaf client-other ca "/CN=client-other" "URI:spiffe://example.com/ns/other/sa/client" clientAuth
leaf client-wrong-ca other-ca "/CN=client-wrong-ca" "URI:spiffe://example.com/ns/payments/sa/client" clientAuth
leaf client-expired ca "/CN=client-expired" "URI:spiffe://example.com/ns/payments/sa/client" clientAuth 20200101000000Z 20200102000000Z
