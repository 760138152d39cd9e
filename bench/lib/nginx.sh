# nginx for the benchmarks (sourced by bench/run.sh, crawl_bench.sh,
# fetch_bench.sh and redis_nodes_bench.sh): one way to write its
# configuration and to start it, so the figures of every script come from
# the same server settings.

# bench_nginx_conf DIR ROOT LISTEN [LOCATIONS] [PRELUDE] [ACCESS_LOG]
# Writes DIR/nginx.conf: one worker process in the foreground, its pid,
# error log and temporary directories in DIR; sendfile, keep-alive without
# a request limit; html, txt and css types (robots.txt is text/plain);
# static files from ROOT. LISTEN holds the `listen ...;` lines; LOCATIONS
# the location blocks (default: `location / { }`); PRELUDE lines before
# everything else (load_module). ACCESS_LOG "on" (default) logs every
# request to DIR/access.log, buffered, as
#   $msec $request_time $host $request_uri $status $body_bytes_sent
# (bench/lib/access_check.py reads it); "off" logs nothing. /__probe
# answers 204 and is never logged, so probing does not pollute the log.
bench_nginx_conf() {
  local dir="$1" root="$2" listen="$3"
  local locations="${4:-    location / { \}}" prelude="${5:-}"
  local access="${6:-on}" access_line
  if [[ "$access" == on ]]; then
    access_line="access_log $dir/access.log bench buffer=256k;"
  else
    access_line="access_log off;"
  fi
  {
    [[ -n "$prelude" ]] && printf '%s\n' "$prelude"
    cat <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/nginx_error.log warn;
events { worker_connections 4096; }
http {
  log_format bench '\$msec \$request_time \$host \$request_uri \$status \$body_bytes_sent';
  $access_line
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  types { text/html html; text/plain txt; text/css css; }
  default_type text/html;
  client_body_temp_path $dir/client_body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
$listen
    root $root;
    location = /__probe { access_log off; return 204; }
$locations
  }
}
CONF
  } >"$dir/nginx.conf"
}

# bench_nginx_start DIR PROBE_URL
# Starts nginx on DIR/nginx.conf in the background (NGINX_PID) and waits up
# to 5 s for PROBE_URL to answer. When it does not, prints nginx's error
# log on stderr, stops it, clears NGINX_PID and returns 1 (the caller may
# try another port: a free port can be taken between probing and binding).
bench_nginx_start() {
  local dir="$1" probe="$2"
  nginx -e "$dir/nginx_error.log" -p "$dir" -c "$dir/nginx.conf" &
  NGINX_PID=$!
  for _ in $(seq 50); do
    if curl -fsS -o /dev/null "$probe" 2>/dev/null; then
      return 0
    fi
    kill -0 "$NGINX_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "nginx did not answer $probe:" >&2
  sed 's/^/  /' "$dir/nginx_error.log" >&2 || true
  kill -TERM "$NGINX_PID" 2>/dev/null || true
  wait "$NGINX_PID" 2>/dev/null || true
  NGINX_PID=""
  return 1
}
