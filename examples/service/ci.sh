#!/usr/bin/env bash
# ci.sh drives the example service end to end against the standalone
# fakes, as .ci/run does: orders followed over its HTTP API, a stage moved
# in a fake, a push from the reseller platform, an account's outage and
# its recovery, a graceful restart and a SIGKILL; then it checks the
# notifications table holds each change exactly once, and /metrics and
# /health say what happened. Run it from the repository's root:
#
#	examples/service/ci.sh            # one process on a SQLite file
#	examples/service/ci.sh -postgres  # three replicas on a PostgreSQL server of its own
#
# With -postgres it starts a throwaway server with the system's initdb
# (Debian's postgresql package; as the postgres user when run as root),
# and the replicas share it: any of them answers the API, one drives
# each account, and killing one hands its accounts to another.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
chmod 755 "$work"
cleanup() {
	kill $(jobs -p) 2>/dev/null || true
	if [[ -n ${pgdata:-} ]]; then as_pg "$pgbin/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
store_args=(-db "$work/service.db")
replicas=1
if [[ ${1:-} == -postgres ]]; then
	pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
	pgdata=$work/pg
	mkdir "$pgdata"
	if [[ $(id -u) -eq 0 ]]; then chown postgres "$pgdata" "$work"; fi
	as_pg "$pgbin/initdb" -D "$pgdata" -U postgres -A trust --no-sync >/dev/null
	as_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$work/pg.log" -w \
		-o "-p 55439 -k $work -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
	store_args=(-postgres "postgres://postgres@127.0.0.1:55439/postgres?sslmode=disable")
	replicas=3
fi

go build -o "$work/service" .
(cd ../.. && go build -o "$work/fakes" ./examples/fakes)
"$work/fakes" -seed -env "$work/fakes.env" > "$work/fakes.log" 2>&1 &
for _ in $(seq 100); do [[ -f $work/fakes.env ]] && break; sleep 0.1; done
set -a; . "$work/fakes.env"; set +a
control=http://127.0.0.1:18080
api=http://127.0.0.1:8090 # the first replica's; each replica N listens on 809N
pids=()

# start N starts replica N (0 for the only one on SQLite).
start() {
	"$work/service" "${store_args[@]}" -addr "127.0.0.1:809$1" -every 300ms -claim-for 3s >> "$work/service-$1.log" 2>&1 &
	pids[$1]=$!
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:809$1/health" >/dev/null && return; sleep 0.1; done
	echo "replica $1 did not start"; cat "$work/service-$1.log"; exit 1
}
notes() { curl -sf "$api/notifications"; }
# wait_for PATTERN [N]: until the notifications match PATTERN N times (1).
wait_for() {
	local want=${2:-1}
	for _ in $(seq 1200); do
		[[ $(notes | grep -o "$1" | wc -l) -ge $want ]] && return
		sleep 0.1
	done
	echo "no notification matched $1 (x$want):"; notes; echo; tail -n 20 "$work"/service-*.log; exit 1
}

for n in $(seq 0 $((replicas - 1))); do start "$n"; done
echo "-- follow five orders"
curl -sf -X PUT -d '[{"order_no":"1000030","order_status":"运输中","goods_status_time":"2024-06-03 12:00:00"}]' "$control/flowery/orders"; echo
for o in bailun/CP-1002 reseller/20240328-874367231 flowery/1000027 flowery/1000029 flowery/1000030; do
	curl -sf -X PUT "$api/orders/$o"; echo
done
wait_for '"kind":"following"' 5
curl -sf "$api/orders/bailun/CP-1002" | grep -q '"stage":"ready_to_ship"'

echo "-- a stage moves in the fake"
curl -sf -X POST -d '{"ref":"CP-1002","status":4,"at":"2024-06-03T10:30:00Z"}' "$control/bailun/advance"; echo
wait_for '"kind":"stage_changed","provider":"bailun","account":"default","ref":"CP-1002"'

echo "-- the platform pushes a new trace (to the last replica)"
hook=http://127.0.0.1:809$((replicas - 1))/hooks/reseller
curl -sf -X POST "$control/reseller/notify" -d '{"url":"'"$hook"'","ref":"20240328-874367231","company_code":"yd",
	"express_no":"433333385045566","traces":[{"time":"2024-06-04 08:00:00","context":"【上海市】派件中"}]}'; echo
wait_for '"kind":"new_event","provider":"reseller"'

echo "-- each replica restarted gracefully, then killed: nothing is written twice"
for n in $(seq 0 $((replicas - 1))); do
	kill -TERM "${pids[$n]}"; wait "${pids[$n]}" || true
	start "$n"
	kill -KILL "${pids[$n]}"; wait "${pids[$n]}" 2>/dev/null || true
	start "$n"
done

echo "-- Flowery goes down: one outage, said once, then its recovery (OutageAfter, a minute)"
# Polled every 300 ms, each ref's second failure comes well before the
# account's outage is decided: each is said on its own first, once.
curl -sf -X POST "$control/flowery/down"; echo
wait_for '"kind":"now_failing","provider":"flowery","account":"default","ref":"","polled"'
curl -sf "$api/health" | grep -q '"failing_since"'
curl -sf -X DELETE "$control/flowery/faults"; echo
wait_for '"kind":"recovered","provider":"flowery","account":"default","ref":"","polled"'
wait_for '"kind":"recovered","provider":"flowery","account":"default","ref":"1' 3

echo "-- unfollowed"
curl -sf -X DELETE "$api/orders/flowery/1000030"; echo
wait_for '"kind":"unfollowed","provider":"flowery","account":"default","ref":"1000030"'
sleep 2 # anything more would be a change written twice

echo "-- the notifications table"
notes > "$work/notes.json"
grep -o '"line"\|"kind":"[a-z_]*","provider":"[a-z]*","account":"default"\(,"ref":"[^"]*"\)\?' "$work/notes.json" | sort | uniq -c | tee "$work/counts.txt"
expected=$(cat <<'LIST'
      1 "kind":"following","provider":"bailun","account":"default","ref":"CP-1002"
      1 "kind":"following","provider":"flowery","account":"default","ref":"1000027"
      1 "kind":"following","provider":"flowery","account":"default","ref":"1000029"
      1 "kind":"following","provider":"flowery","account":"default","ref":"1000030"
      1 "kind":"following","provider":"reseller","account":"default","ref":"20240328-874367231"
      1 "kind":"new_event","provider":"reseller","account":"default","ref":"20240328-874367231"
      1 "kind":"now_failing","provider":"flowery","account":"default","ref":""
      1 "kind":"now_failing","provider":"flowery","account":"default","ref":"1000027"
      1 "kind":"now_failing","provider":"flowery","account":"default","ref":"1000029"
      1 "kind":"now_failing","provider":"flowery","account":"default","ref":"1000030"
      1 "kind":"recovered","provider":"flowery","account":"default","ref":""
      1 "kind":"recovered","provider":"flowery","account":"default","ref":"1000027"
      1 "kind":"recovered","provider":"flowery","account":"default","ref":"1000029"
      1 "kind":"recovered","provider":"flowery","account":"default","ref":"1000030"
      1 "kind":"stage_changed","provider":"bailun","account":"default","ref":"CP-1002"
      1 "kind":"unfollowed","provider":"flowery","account":"default","ref":"1000030"
LIST
)
if [[ $(cat "$work/counts.txt") != "$expected" ]]; then
	echo "the notifications are not each change exactly once; expected:"; echo "$expected"; exit 1
fi

echo "-- metrics (of the replica driving Flowery, since its restart) and health"
holder=$(curl -sf "$api/health" | grep -o '"tracker":{"provider":"flowery","account":"default"},"holder":"[^"]*"' | sed 's/.*"holder":"//; s/"$//')
for n in $(seq 0 $((replicas - 1))); do
	if curl -sf "http://127.0.0.1:809$n/health" | grep -q "\"replica\":\"$holder\""; then
		curl -sf "http://127.0.0.1:809$n/metrics" > "$work/metrics.txt"
	fi
done
grep -E '^ordertrack_watch_changes_total\{.*ordertrack_change_kind="recovered".*ordertrack_provider="flowery"' "$work/metrics.txt"
grep -E '^http_client_request_duration_seconds_count\{.*http_response_status_code="503".*ordertrack_provider="flowery"' "$work/metrics.txt"
grep -E '^ordertrack_watch_refs_followed\{.*ordertrack_provider="flowery"' "$work/metrics.txt"
for n in $(seq 0 $((replicas - 1))); do
	# Every replica answers for every account, whoever drives it.
	curl -sf "http://127.0.0.1:809$n/health" | grep -q '"tracker":{"provider":"flowery","account":"default"},"holder":"'"$holder"'"'
done
for n in $(seq 0 $((replicas - 1))); do
	kill -TERM "${pids[$n]}"; wait "${pids[$n]}" || true
done
echo "the service wrote each change once ($replicas replicas)"
