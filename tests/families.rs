//! Every API family of the fingerprint table, on traffic built from the vendor's documented
//! request and response shapes (the reference is cited on each case; the corpus covers the rest).
//! Each case checks the family named, the verdict, and the kind of state found.

use callstate::{analyze_bytes, Options};
use serde_json::{json, Value};

/// One exchange: method, URL, request headers, request body, status, response headers, body.
type Exchange<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], Option<Value>, u16, &'a [(&'a str, &'a str)], Value);

fn har(exchanges: &[Exchange]) -> Vec<u8> {
    let headers = |h: &[(&str, &str)]| h.iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>();
    let entries: Vec<Value> = exchanges
        .iter()
        .map(|(method, url, req_headers, body, status, resp_headers, resp)| {
            let mut h = headers(req_headers);
            h.push(json!({"name": "authorization", "value": "Bearer test"}));
            let mut request = json!({"method": method, "url": url, "headers": h});
            if let Some(body) = body {
                request["postData"] = json!({"mimeType": "application/json", "text": body.to_string()});
            }
            let text = match resp {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            json!({"request": request, "response": {"status": status, "headers": headers(resp_headers), "content": {"mimeType": "application/json", "text": text}}})
        })
        .collect();
    json!({"log": {"version": "1.2", "creator": {"name": "test"}, "entries": entries}}).to_string().into_bytes()
}

struct Case<'a> {
    name: &'a str,
    exchanges: Vec<Exchange<'a>>,
    family: &'a str,
    label: &'a str,
    kinds: &'a [&'a str],
}

fn check(case: Case) {
    let report = analyze_bytes(case.name, &har(&case.exchanges), &Options::default()).unwrap();
    let value = serde_json::to_value(&report).unwrap();
    let families: Vec<&str> =
        value["calls"].as_array().unwrap().iter().filter_map(|c| c["api"]["id"].as_str()).collect();
    assert!(families.contains(&case.family), "{}: family {} not among {families:?}", case.name, case.family);
    assert_eq!(report.verdict.label.as_str(), case.label, "{}: {}", case.name, report.verdict.explanation);
    let kinds: Vec<&str> = value["evidence"].as_array().unwrap().iter().filter_map(|e| e["state"].as_str()).collect();
    for kind in case.kinds {
        assert!(kinds.contains(kind), "{}: kind {kind} not in {kinds:?}", case.name);
    }
}

const NONE: &[(&str, &str)] = &[];

#[test]
fn azure_openai() {
    // https://learn.microsoft.com/azure/ai-foundry/openai/reference (deployment path, api-version)
    check(Case {
        name: "azure chat",
        exchanges: vec![
            (
                "POST",
                "https://contoso.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
                NONE,
                Some(json!({"messages": [{"role": "user", "content": "Hi"}]})),
                200,
                NONE,
                json!({"id": "chatcmpl-1", "choices": [{"message": {"role": "assistant", "content": "Hello!"}}]}),
            ),
            (
                "POST",
                "https://contoso.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
                NONE,
                Some(
                    json!({"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Bye"}]}),
                ),
                200,
                NONE,
                json!({"id": "chatcmpl-2", "choices": []}),
            ),
        ],
        family: "azure.chat_completions",
        label: "stateless",
        kinds: &[],
    });
    // The v1 API: https://learn.microsoft.com/azure/ai-foundry/openai/how-to/responses
    check(Case {
        name: "azure responses",
        exchanges: vec![
            (
                "POST",
                "https://contoso.openai.azure.com/openai/v1/responses",
                NONE,
                Some(json!({"model": "gpt-4o", "input": "Hi"})),
                200,
                NONE,
                json!({"id": "resp_az0001aaaa2222", "output": []}),
            ),
            (
                "POST",
                "https://contoso.openai.azure.com/openai/v1/responses",
                NONE,
                Some(json!({"model": "gpt-4o", "input": "More", "previous_response_id": "resp_az0001aaaa2222"})),
                200,
                NONE,
                json!({"id": "resp_az0002bbbb3333"}),
            ),
        ],
        family: "azure.responses",
        label: "stateful",
        kinds: &["conversation"],
    });
}

#[test]
fn openai_agents_sessions_containers_vector_stores_and_realtime_calls() {
    // openai-python resources/beta/agents/sessions: POST /agents/sessions mints the session id.
    check(Case {
        name: "agents sessions",
        exchanges: vec![
            (
                "POST",
                "https://api.openai.com/v1/agents/sessions",
                &[("openai-beta", "agents=v1")],
                Some(json!({"agent_id": "agent_123", "input": "Start"})),
                200,
                NONE,
                json!({"id": "sess_0a1b2c3d4e5f6a7b", "object": "agent.session"}),
            ),
            (
                "GET",
                "https://api.openai.com/v1/agents/sessions/sess_0a1b2c3d4e5f6a7b",
                &[("openai-beta", "agents=v1")],
                None,
                200,
                NONE,
                json!({"id": "sess_0a1b2c3d4e5f6a7b"}),
            ),
        ],
        family: "openai.agents.sessions",
        label: "stateful",
        kinds: &["session"],
    });
    // openai-python api.md, Containers.
    check(Case {
        name: "containers",
        exchanges: vec![
            (
                "POST",
                "https://api.openai.com/v1/containers",
                NONE,
                Some(json!({"name": "scratch"})),
                200,
                NONE,
                json!({"id": "cntr_68a1b2c3d4e5f6a7", "object": "container"}),
            ),
            (
                "POST",
                "https://api.openai.com/v1/containers/cntr_68a1b2c3d4e5f6a7/files",
                NONE,
                Some(json!({"file_id": "file-abc"})),
                200,
                NONE,
                json!({"id": "cfile_1"}),
            ),
        ],
        family: "openai.containers",
        label: "stateful",
        kinds: &["sandbox"],
    });
    // openai-python api.md, Vector Stores and file batches (polled by id).
    check(Case {
        name: "vector stores",
        exchanges: vec![
            (
                "POST",
                "https://api.openai.com/v1/vector_stores",
                NONE,
                Some(json!({"name": "docs"})),
                200,
                NONE,
                json!({"id": "vs_0123456789abcdef", "status": "completed"}),
            ),
            (
                "POST",
                "https://api.openai.com/v1/vector_stores/vs_0123456789abcdef/file_batches",
                NONE,
                Some(json!({"file_ids": ["file-1"]})),
                200,
                NONE,
                json!({"id": "vsfb_0123456789abcdef", "status": "in_progress"}),
            ),
            (
                "GET",
                "https://api.openai.com/v1/vector_stores/vs_0123456789abcdef/file_batches/vsfb_0123456789abcdef",
                NONE,
                None,
                200,
                NONE,
                json!({"id": "vsfb_0123456789abcdef", "status": "completed"}),
            ),
        ],
        family: "openai.vector_stores.file_batches",
        label: "stateless",
        kinds: &["resource", "job"],
    });
    // https://platform.openai.com/docs/api-reference/realtime-calls: the call id comes back in
    // `Location`; call control addresses it.
    check(Case {
        name: "realtime calls",
        exchanges: vec![
            (
                "POST",
                "https://api.openai.com/v1/realtime/calls",
                NONE,
                Some(json!({"sdp": "v=0"})),
                201,
                &[("location", "/v1/realtime/calls/rtc_0123456789abcdef")],
                json!("v=0 answer"),
            ),
            (
                "POST",
                "https://api.openai.com/v1/realtime/calls/rtc_0123456789abcdef/hangup",
                NONE,
                None,
                200,
                NONE,
                json!({}),
            ),
        ],
        family: "openai.realtime.calls",
        label: "stateful",
        kinds: &["connection"],
    });
}

#[test]
fn anthropic_managed_agents_and_files() {
    // anthropic-sdk-python api.md: /v1/sessions (beta managed agents).
    check(Case {
        name: "managed agents",
        exchanges: vec![
            (
                "POST",
                "https://api.anthropic.com/v1/sessions?beta=true",
                &[("anthropic-beta", "managed-agents-2026-04-01")],
                Some(json!({"agent": "agent_01"})),
                200,
                NONE,
                json!({"id": "sesn_01AbCdEfGh234567", "type": "session"}),
            ),
            (
                "POST",
                "https://api.anthropic.com/v1/sessions/sesn_01AbCdEfGh234567/events?beta=true",
                &[("anthropic-beta", "managed-agents-2026-04-01")],
                Some(json!({"events": [{"type": "user.message", "content": "Go on"}]})),
                200,
                NONE,
                json!({"data": []}),
            ),
        ],
        family: "anthropic.managed_agents.sessions",
        label: "stateful",
        kinds: &["session"],
    });
    // https://docs.claude.com/en/api/files-content: a file uploaded, then referenced by id.
    check(Case {
        name: "files",
        exchanges: vec![
            (
                "POST",
                "https://api.anthropic.com/v1/files",
                &[("anthropic-beta", "files-api-2025-04-14")],
                None,
                200,
                NONE,
                json!({"id": "file_011CNha8iCJcU1wXNR6q4V8w", "type": "file"}),
            ),
            (
                "POST",
                "https://api.anthropic.com/v1/messages",
                NONE,
                Some(
                    json!({"model": "claude", "max_tokens": 10, "messages": [{"role": "user", "content": [{"type": "document", "source": {"type": "file", "file_id": "file_011CNha8iCJcU1wXNR6q4V8w"}}]}]}),
                ),
                200,
                NONE,
                json!({"id": "msg_1", "content": []}),
            ),
        ],
        family: "anthropic.messages",
        label: "stateless",
        kinds: &["resource"],
    });
}

#[test]
fn aws_bedrock_knowledge_bases_and_agentcore() {
    // RetrieveAndGenerate: the response's sessionId is sent back to continue.
    // https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent-runtime_RetrieveAndGenerate.html
    check(Case {
        name: "retrieve and generate",
        exchanges: vec![
            (
                "POST",
                "https://bedrock-agent-runtime.us-east-1.amazonaws.com/retrieveAndGenerate",
                NONE,
                Some(json!({"input": {"text": "What is in the policy?"}})),
                200,
                NONE,
                json!({"output": {"text": "..."}, "sessionId": "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"}),
            ),
            (
                "POST",
                "https://bedrock-agent-runtime.us-east-1.amazonaws.com/retrieveAndGenerate",
                NONE,
                Some(
                    json!({"input": {"text": "And the exceptions?"}, "sessionId": "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"}),
                ),
                200,
                NONE,
                json!({"output": {"text": "..."}}),
            ),
        ],
        family: "bedrock.knowledge_bases.retrieve_and_generate",
        label: "stateful",
        kinds: &["session"],
    });
    // InvokeAgentRuntime: the runtime session id is a header the client sets.
    // https://docs.aws.amazon.com/bedrock-agentcore/latest/APIReference/API_InvokeAgentRuntime.html
    let header: &[(&str, &str)] =
        &[("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", "dfmeoagmreaklgmrkleafremoigrmtesogmtrskhmtkrlshmt")];
    check(Case {
        name: "agentcore runtime",
        exchanges: vec![
            ("POST", "https://bedrock-agentcore.us-west-2.amazonaws.com/runtimes/arn%3Aaws%3Abedrock-agentcore%3Aus-west-2%3A123%3Aruntime%2Fagent-1/invocations?qualifier=DEFAULT", header, Some(json!({"prompt": "Plan my week"})), 200, NONE, json!({"result": "..."})),
            ("POST", "https://bedrock-agentcore.us-west-2.amazonaws.com/runtimes/arn%3Aaws%3Abedrock-agentcore%3Aus-west-2%3A123%3Aruntime%2Fagent-1/invocations?qualifier=DEFAULT", header, Some(json!({"prompt": "Move Monday"})), 200, NONE, json!({"result": "..."})),
        ],
        family: "bedrock.agentcore.runtime",
        label: "stateful",
        kinds: &["session"],
    });
    // CreateEvent: https://docs.aws.amazon.com/bedrock-agentcore/latest/APIReference/API_CreateEvent.html
    check(Case {
        name: "agentcore memory",
        exchanges: vec![(
            "POST",
            "https://bedrock-agentcore.us-west-2.amazonaws.com/memories/mem_abc123def456/events",
            NONE,
            Some(json!({"actorId": "user-1", "sessionId": "session-2026-01-01", "payload": []})),
            201,
            NONE,
            json!({"event": {"eventId": "0000001"}}),
        )],
        family: "bedrock.agentcore.memory",
        label: "stateful",
        kinds: &["session"],
    });
}

#[test]
fn gemini_interactions_a2a_langgraph_and_chatgpt_web() {
    // https://ai.google.dev/gemini-api/docs/interactions: previous_interaction_id continues one.
    check(Case {
        name: "gemini interactions",
        exchanges: vec![
            (
                "POST",
                "https://generativelanguage.googleapis.com/v1beta/interactions",
                NONE,
                Some(json!({"model": "gemini-3-flash", "input": "Hi"})),
                200,
                NONE,
                json!({"id": "v1_ChdpbnRlcmFjdGlvbl8wMDAx", "outputs": []}),
            ),
            (
                "POST",
                "https://generativelanguage.googleapis.com/v1beta/interactions",
                NONE,
                Some(
                    json!({"model": "gemini-3-flash", "input": "More", "previous_interaction_id": "v1_ChdpbnRlcmFjdGlvbl8wMDAx"}),
                ),
                200,
                NONE,
                json!({"id": "v1_ChdpbnRlcmFjdGlvbl8wMDAy"}),
            ),
        ],
        family: "gemini.interactions",
        label: "stateful",
        kinds: &["conversation"],
    });
    // A2A v1.0 method names (a2aproject/A2A docs/whats-new-v1.md); the server mints contextId.
    check(Case {
        name: "a2a context",
        exchanges: vec![
            (
                "POST",
                "https://agent.example.com/a2a",
                NONE,
                Some(
                    json!({"jsonrpc": "2.0", "id": 1, "method": "SendMessage", "params": {"message": {"role": "user", "messageId": "m-1", "parts": [{"text": "Book a flight"}]}}}),
                ),
                200,
                NONE,
                json!({"jsonrpc": "2.0", "id": 1, "result": {"id": "task-0f1e2d3c4b5a", "contextId": "ctx-9a8b7c6d5e4f3a2b", "status": {"state": "completed"}}}),
            ),
            (
                "POST",
                "https://agent.example.com/a2a",
                NONE,
                Some(
                    json!({"jsonrpc": "2.0", "id": 2, "method": "SendMessage", "params": {"message": {"role": "user", "messageId": "m-2", "contextId": "ctx-9a8b7c6d5e4f3a2b", "parts": [{"text": "Make it Tuesday"}]}}}),
                ),
                200,
                NONE,
                json!({"jsonrpc": "2.0", "id": 2, "result": {}}),
            ),
        ],
        family: "a2a.jsonrpc",
        label: "stateful",
        kinds: &["conversation"],
    });
    // LangGraph: threads keep state; /runs/wait is a stateless run.
    // https://langchain-ai.github.io/langgraph/cloud/how-tos/streaming/
    check(Case {
        name: "langgraph threads",
        exchanges: vec![
            (
                "POST",
                "https://agent.example.com/threads",
                NONE,
                Some(json!({})),
                200,
                NONE,
                json!({"thread_id": "7c6d5e4f-3a2b-1c0d-9e8f-7a6b5c4d3e2f"}),
            ),
            (
                "POST",
                "https://agent.example.com/threads/7c6d5e4f-3a2b-1c0d-9e8f-7a6b5c4d3e2f/runs/wait",
                NONE,
                Some(json!({"assistant_id": "agent", "input": {"messages": [{"role": "user", "content": "Hi"}]}})),
                200,
                NONE,
                json!({"messages": []}),
            ),
        ],
        family: "langgraph.threads",
        label: "stateful",
        kinds: &["conversation"],
    });
    check(Case {
        name: "langgraph stateless runs",
        exchanges: vec![(
            "POST",
            "https://agent.example.com/runs/wait",
            NONE,
            Some(json!({"assistant_id": "agent", "input": {"messages": [{"role": "user", "content": "Hi"}]}})),
            200,
            NONE,
            json!({"messages": []}),
        )],
        family: "langgraph.stateless_runs",
        label: "stateless",
        kinds: &[],
    });
    // ChatGPT's web app (no vendor reference; reverse-engineered clients): the stream mints
    // conversation_id, later turns send it with parent_message_id.
    let stream = "data: {\"message\": {\"id\": \"5f4e3d2c-1b0a-4f9e-8d7c-6b5a4f3e2d1c\"}, \"conversation_id\": \"68a1b2c3-d4e5-8006-a7b8-c9d0e1f2a3b4\"}\n\ndata: [DONE]\n\n";
    check(Case {
        name: "chatgpt web",
        exchanges: vec![
            (
                "POST",
                "https://chatgpt.com/backend-api/conversation",
                NONE,
                Some(
                    json!({"action": "next", "messages": [{"id": "a1", "author": {"role": "user"}, "content": {"parts": ["Hi"]}}], "parent_message_id": "client-root-0001"}),
                ),
                200,
                &[("content-type", "text/event-stream")],
                Value::String(stream.into()),
            ),
            (
                "POST",
                "https://chatgpt.com/backend-api/conversation",
                NONE,
                Some(
                    json!({"action": "next", "messages": [{"id": "a2", "author": {"role": "user"}, "content": {"parts": ["More"]}}], "conversation_id": "68a1b2c3-d4e5-8006-a7b8-c9d0e1f2a3b4", "parent_message_id": "5f4e3d2c-1b0a-4f9e-8d7c-6b5a4f3e2d1c"}),
                ),
                200,
                NONE,
                json!({}),
            ),
        ],
        family: "chatgpt.web.conversation",
        label: "stateful",
        kinds: &["conversation"],
    });
}

#[test]
fn gateways_that_keep_no_state_are_judged_by_the_host() {
    // https://openrouter.ai/docs/api/reference/responses/overview: "This API is stateless".
    check(Case {
        name: "openrouter",
        exchanges: vec![
            (
                "POST",
                "https://openrouter.ai/api/v1/responses",
                NONE,
                Some(json!({"model": "openai/gpt-4o", "input": "Hi"})),
                200,
                NONE,
                json!({"id": "resp_or00001111aaaa"}),
            ),
            (
                "POST",
                "https://openrouter.ai/api/v1/responses",
                NONE,
                Some(json!({"model": "openai/gpt-4o", "input": "More", "previous_response_id": "resp_or00001111aaaa"})),
                200,
                NONE,
                json!({"id": "resp_or00002222bbbb"}),
            ),
        ],
        family: "openrouter.responses",
        label: "stateless",
        kinds: &[],
    });
    check(Case {
        name: "ollama",
        exchanges: vec![(
            "POST",
            "http://localhost:11434/api/chat",
            NONE,
            Some(json!({"model": "llama3", "messages": [{"role": "user", "content": "Hi"}]})),
            200,
            NONE,
            json!({"message": {"role": "assistant", "content": "Hello"}}),
        )],
        family: "ollama.chat",
        label: "stateless",
        kinds: &[],
    });
}

#[test]
fn mcp_handles_in_tool_arguments_without_a_session_header() {
    // MCP 2026-07-28 removes Mcp-Session-Id: "servers that need cross-call state use explicit,
    // server-minted handles passed as ordinary tool arguments" (SEP-2567). Generic handle flow.
    let call = |id: u64, args: Value| json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": "browse", "arguments": args}});
    check(Case {
        name: "mcp handles",
        exchanges: vec![
            (
                "POST",
                "https://mcp.example.com/mcp",
                &[("mcp-protocol-version", "2026-07-28")],
                Some(call(1, json!({"url": "https://example.com"}))),
                200,
                NONE,
                json!({"jsonrpc": "2.0", "id": 1, "result": {"structuredContent": {"browser_session": "bs_7f3c2a1b9d8e4f60"}}}),
            ),
            (
                "POST",
                "https://mcp.example.com/mcp",
                &[("mcp-protocol-version", "2026-07-28")],
                Some(call(2, json!({"browser_session": "bs_7f3c2a1b9d8e4f60", "click": "#next"}))),
                200,
                NONE,
                json!({"jsonrpc": "2.0", "id": 2, "result": {}}),
            ),
        ],
        family: "mcp.streamable_http",
        label: "stateful",
        kinds: &["session"],
    });
}
