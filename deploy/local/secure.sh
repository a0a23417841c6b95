# shellcheck shell=bash
# Authentication for deploy/local/services.sh: a TLS certificate authority and server
# certificate, a SCRAM-SHA-512 Kafka user on a SASL_SSL listener, and a Redis ACL user
# (with a TLS port). Sourced, not run. Expects STATE (the services' state dir).
#
# Everything is generated at `up` into $STATE/secure (never into the repository): the
# passwords are random, the certificates valid for 127.0.0.1 only.

SECURE_DIR=$STATE/secure
SECURE_USER=monitor

# A CA, and a server certificate signed by it for IP 127.0.0.1 and localhost (PEM files).
make_certificates() {
  local dir=$SECURE_DIR
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=stream-monitor test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null || die "openssl: CA failed"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null || die "openssl: CSR failed"
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$dir/san.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 30 -extfile "$dir/san.ext" -out "$dir/server.pem" 2>/dev/null ||
    die "openssl: signing the server certificate failed"
  # Kafka's PEM key store: an unencrypted PKCS#8 key followed by the certificate.
  openssl pkcs8 -topk8 -nocrypt -in "$dir/server.key" -out "$dir/server.pk8" ||
    die "openssl: PKCS#8 conversion failed"
  cat "$dir/server.pk8" "$dir/server.pem" >"$dir/kafka-keystore.pem"
  chmod 600 "$dir"/*.key "$dir"/*.pk8 "$dir/kafka-keystore.pem"
}

random_password() { python3 -c 'import secrets; print(secrets.token_urlsafe(18))'; }

make_secrets() {
  mkdir -p "$SECURE_DIR"
  (umask 077 && random_password >"$SECURE_DIR/kafka-password" &&
    random_password >"$SECURE_DIR/redis-password")
  make_certificates
}

# server.properties lines for the SASL_SSL listener (appended to the plain config).
kafka_secure_properties() {
  cat <<EOF
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PEM
ssl.keystore.location=$SECURE_DIR/kafka-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$SECURE_DIR/ca.pem
ssl.client.auth=none
EOF
}

# The StorageTool argument that creates the SCRAM user in the new cluster's metadata.
kafka_scram_argument() {
  printf 'SCRAM-SHA-512=[name=%s,password=%s]\n' "$SECURE_USER" "$(<"$SECURE_DIR/kafka-password")"
}

# redis.conf: the default user as before (no password: the plain tests use it), plus an
# ACL user that needs its password, and a TLS port beside the plain one.
write_redis_secure_config() {
  cat >"$REDIS_DIR/secure.conf" <<EOF
user $SECURE_USER on >$(<"$SECURE_DIR/redis-password") ~* &* +@all
tls-port $REDIS_TLS_PORT
tls-cert-file $SECURE_DIR/server.pem
tls-key-file $SECURE_DIR/server.key
tls-ca-cert-file $SECURE_DIR/ca.pem
tls-auth-clients no
EOF
  chmod 600 "$REDIS_DIR/secure.conf"
}

# The secure endpoints and credentials, for `services.sh env` (KEY=value lines).
secure_env() {
  local kafka_pw redis_pw
  kafka_pw=$(<"$SECURE_DIR/kafka-password")
  redis_pw=$(<"$SECURE_DIR/redis-password")
  cat <<EOF
KAFKA_SASL_BOOTSTRAP_SERVERS=127.0.0.1:$SASL_PORT
KAFKA_SASL_MECHANISM=SCRAM-SHA-512
KAFKA_SASL_USERNAME=$SECURE_USER
KAFKA_SASL_PASSWORD=$kafka_pw
KAFKA_SASL_PASSWORD_FILE=$SECURE_DIR/kafka-password
KAFKA_SSL_CA_LOCATION=$SECURE_DIR/ca.pem
REDIS_AUTH_URL=redis://$SECURE_USER:$redis_pw@127.0.0.1:$REDIS_PORT/0
REDIS_AUTH_USERNAME=$SECURE_USER
REDIS_AUTH_PASSWORD=$redis_pw
REDIS_AUTH_PASSWORD_FILE=$SECURE_DIR/redis-password
REDIS_TLS_URL=rediss://127.0.0.1:$REDIS_TLS_PORT/0
REDIS_TLS_CA_FILE=$SECURE_DIR/ca.pem
EOF
}
