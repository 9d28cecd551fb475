#!/usr/bin/env bash
# Seeds each fuzz target's corpus (fuzz/corpus/<target>/, git-ignored) with the test inputs:
# tests/corpus/* and tests/corpus/runtimes/* (files only) and tests/formats/*. analyze_many also gets a few multi-input seeds,
# its inputs joined by a 0xFF byte (see fuzz_targets/analyze_many.rs); body_facts every JSON
# body of the HAR inputs on its own (fuzz/body-seeds.mjs); har_same the HARs; otlp_same the OTLP documents; jsonl_same the JSON Lines inputs and
# request records of each shape; tape_same every test input; de_same the example policies, the
# rules files and options of each shape. Idempotent.
set -euo pipefail
FUZZ="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$FUZZ")"
TARGETS=(read_any read_yaml read_json_shapes read_jsonl analyze_many body_facts tape_same)

for target in "${TARGETS[@]}"; do
	dir="$FUZZ/corpus/$target"
	mkdir -p "$dir"
	for f in "$ROOT"/tests/corpus/* "$ROOT"/tests/corpus/runtimes/* "$ROOT"/tests/formats/*; do
		[ -f "$f" ] && cp "$f" "$dir/seed-$(basename "$f")"
	done
done

join() { # join OUT FILE... : the files' bytes separated by 0xFF
	local out="$1" first=1
	shift
	: >"$out"
	for f in "$@"; do
		[ -f "$f" ] || continue
		[ $first = 1 ] || printf '\xff' >>"$out"
		cat "$f" >>"$out"
		first=0
	done
}
dir="$FUZZ/corpus/analyze_many"
F="$ROOT/tests/formats"
C="$ROOT/tests/corpus"
join "$dir/seed-multi-frontdoor-backend" "$F/frontdoor-runtime-sessions.har" "$F/backend-model-calls.jsonl"
join "$dir/seed-multi-frontdoor-otlp" "$F/frontdoor-runtime-sessions.har" "$F/backend-model-calls.otlp.jsonl" "$F/agent-runtime-layered.otlp.json"
join "$dir/seed-multi-nock-cassette" "$F/nock-openai-chat-completions.json" "$C/oai-chat-tool-calls.yaml"
join "$dir/seed-multi-spans-and-logs" "$C/runtimes/agentcore-strands-bedrock-spans.json" "$C/runtimes/agentcore-strands-bedrock-runtime-logs.json"
join "$dir/seed-multi-bad-and-good" "$C/NOTICE.md" "$F/nock-anthropic-messages-create.json"

# har_same: the HARs of the tests and samples, and small ones the reader must agree on.
dir="$FUZZ/corpus/har_same"
mkdir -p "$dir"
for f in "$ROOT"/tests/corpus/*.har "$ROOT"/tests/formats/*.har "$ROOT"/tests/rules/*.har "$ROOT"/www/samples/*.har; do
	[ -f "$f" ] && [ "$(wc -c <"$f")" -lt 1000000 ] && cp "$f" "$dir/seed-$(basename "$f")"
done
printf '%s' '{"log": {"entries": [{"request": {"method": "GET", "url": "https://a.example/", "headers": [{"name": "a", "value": ["b", 1]}]}, "response": {"status": 200, "content": {"text": "{\"id\": \"resp_0123456789\"}"}}}, null, 5]}}' >"$dir/seed-small"

# otlp_same: the OTLP documents of the tests, whole and line by line, one with values the reader
# leaves to trees, and a list of messages.
dir="$FUZZ/corpus/otlp_same"
mkdir -p "$dir"
for f in $(grep -l resourceSpans "$ROOT"/tests/corpus/* "$ROOT"/tests/corpus/runtimes/* "$ROOT"/tests/formats/* "$ROOT"/www/samples/* 2>/dev/null); do
	[ "$(wc -c <"$f")" -lt 1000000 ] || continue
	cp "$f" "$dir/seed-$(basename "$f")"
	grep -n resourceSpans "$f" | while IFS=: read -r n line; do
		printf '%s' "$line" >"$dir/seed-$n-$(basename "$f")"
	done
done
printf '%s' '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"x","events":[{"name":"gen_ai.choice","attributes":[{"key":"message","value":{"stringValue":"yo"}}]}],"attributes":[{"key":"m","value":{"stringValue":"a","intValue":"3"}},{"key":"l","value":{"arrayValue":{"values":[{"intValue":"7"},{"boolValue":true},{"kvlistValue":{"values":[{"key":"a","value":{"doubleValue":1.5}}]}}]}}}]}]}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"s"}}]}}]}' >"$dir/seed-small"
printf '%s' '[{"role":"user","content":[{"type":"text","text":"Hi \u00e9\n"}]},{"message":{"role":"assistant","content":"yo"}},{"b":[1,-0,1.5e3],"a":{"d":null,"c":true}}]' >"$dir/seed-list"

# jsonl_same: the JSON Lines inputs of the tests and samples, generated lines, and one
# line of each request-record shape (batch input and output, the generic shape, lines the reader
# leaves to the tree).
dir="$FUZZ/corpus/jsonl_same"
mkdir -p "$dir"
for f in "$ROOT"/tests/formats/*.jsonl "$ROOT"/www/samples/*.jsonl; do
	[ -f "$f" ] && cp "$f" "$dir/seed-$(basename "$f")"
done
# Generated lines one a seed (the shorter ones: the fuzzer runs faster on small inputs).
gen="$(mktemp)"
for mix in mixed history; do
	node "$ROOT/bench/gen.mjs" --format jsonl --size 100KB --mix "$mix" --out "$gen" >/dev/null
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		if [ "${#line}" -lt 16000 ]; then printf '%s\n' "$line" >"$dir/seed-gen-$mix-$n"; fi
	done <"$gen"
done
rm -f "$gen"
cat >"$dir/seed-shapes" <<'LINES'
{"custom_id":"r1","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"one"}]}}
{"id":"batch_req_1","custom_id":"r1","response":{"status_code":200,"request_id":"req_1","body":{"id":"chatcmpl-1"}},"error":null}
{"time":1700000000,"method":"get","uri":"https://a.example/v1/x?y=1","headers":{"Cookie":["a=b",1,true,null]},"trace_id":"W47/95gDgQPSabYzgT/GDA==","span_id":"7uGbfsPBsXQ=","parent_span_id":"0x39D6E9B3DDEC9996","duration_ms":12.5,"response":{"status":"201","status_code":200,"headers":[{"name":"Location","value":"/v1/x/thing_0123456789"}],"body":5}}
{"timestamp":"2026-01-01T10:00:00Z","method":"POST","url":5,"uri":"/form","request":{"headers":{"content-type":"application/x-www-form-urlencoded"},"body":"a=1&session_id=sess_0123456789"},"body":{"u":true},"response":{"status":-1.0,"body":[1,-0,1.5e3,12345678901234567890,"\u00e9\n",{"z":{"b":1,"a":[]},"":null}]}}
{"method":"POST","url":"/v1/responses","request":{"body":{"input":[{"role":"user","content":"hi"}],"previous_response_id":"resp_0123456789"}},"response":null,"parent_id":7}
{"trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331","name":"GET","method":"GET","url":"/"}
{"method":"GET","url":"/","method":"POST","body":{"a":1,"a":2}}
LINES
# stream_same reads its chunk size from the first byte: each seed gets one in front.
dir="$FUZZ/corpus/stream_same"
mkdir -p "$dir"
for f in "$ROOT"/tests/corpus/* "$ROOT"/tests/corpus/runtimes/* "$ROOT"/tests/formats/* "$ROOT"/www/samples/*; do
	[ -f "$f" ] || continue
	for chunk in 7 200; do
		{ printf "\\$(printf '%03o' $chunk)"; cat "$f"; } >"$dir/seed-$chunk-$(basename "$f")"
	done
done
# de_same: the example policies and rules files, and options and policies of each shape.
dir="$FUZZ/corpus/de_same"
mkdir -p "$dir"
for f in "$ROOT"/examples/policies/*.json "$ROOT"/tests/rules/*.json; do
	[ -f "$f" ] && cp "$f" "$dir/seed-$(basename "$f")"
done
printf '%s' '{"name": "a", "partial": true, "limits": {"maxCalls": 5, "maxTreeSize": 1e3}, "other": [1.5, -0, null], "rules": {"names": {"sid": "session"}, "fingerprints": [{"id": "x", "family": "X", "hosts": ["*.x"], "body": {"/a": ["*"]}, "state": [{"at": "request.body/a", "kind": "session", "present": true}], "mode": "stateful", "keeps_state": false}]}}' >"$dir/seed-options"
printf '%s' '{"policy": {"name": "p", "rules": [{"name": "r", "type": "stateless", "scope": "all", "kinds": ["session"]}, {"type": "evidence-strength", "at_least": "medium", "name": "s"}]}, "name": "n", "name": "m"}' >"$dir/seed-options-policy"
printf '%s' '{"policy": "rules:\n  - name: r\n    type: no-retention\n"}' >"$dir/seed-options-policy-text"
printf '%s' '{"description": "d", "rules": [{"name": "a", "type": "state-only-at", "kinds": ["conversation"], "families": ["Azure OpenAI*"], "hosts": ["*.openai.azure.com"]}, ["no-retention", "b"], {"name": "c", "type": "stateless-only-at", "hosts": [1.50]}]}' >"$dir/seed-policy"
# body_facts also gets every JSON body of the HAR inputs on its own.
node "$FUZZ/body-seeds.mjs" "$FUZZ/corpus/body_facts" "$ROOT"/tests/corpus/*.har "$ROOT"/tests/formats/*.har "$ROOT"/www/samples/*.har >/dev/null

echo "seeded $(ls "$FUZZ/corpus" | wc -l) corpora in $FUZZ/corpus"
