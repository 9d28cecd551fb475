//! Places as data: the call, the side of the exchange and the part of the message where evidence
//! saw something. One `Display` prints a place for every renderer
//! (`request.body/previous_response_id`, `response.headers/mcp-session-id`,
//! `received.frame[2]/session/id`, `request.body/messages/0-3`); nothing parses that text back.

use schemars::JsonSchema;
use serde::Serialize;
use std::fmt;

/// Which side of the exchange a place is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// What the client sent: the request (its path, query, headers, cookies, body), a message it
    /// sent on a WebSocket, or the attributes of the span that stands for the call.
    Sent,
    /// What the server returned: the response, or a message it sent on a WebSocket. Handles are
    /// minted here.
    Received,
}

/// The part of a request, response or message a place names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Part {
    /// Path segment `index` (from 0, among the non-empty segments). The path is printed as a
    /// template: the segment itself is `*` and other handle-shaped segments `{id}`, so that no
    /// other handle shows in the clear.
    Segment {
        index: usize,
        template: String,
    },
    /// The whole path (a created resource, an endpoint), as a template without its leading `/`.
    Path {
        template: String,
    },
    Query {
        name: String,
    },
    Header {
        name: String,
    },
    Cookie {
        name: String,
    },
    /// A JSON pointer into the body (`/previous_response_id`), a form field (`/name`), or the
    /// whole body (an empty pointer).
    Body {
        pointer: String,
    },
    /// A JSON pointer into event `index` (from 1) of a streamed body.
    Event {
        index: usize,
        pointer: String,
    },
    /// A JSON pointer into WebSocket message `index` (from 1) of the call.
    Frame {
        index: usize,
        pointer: String,
    },
    /// Items `first` to `last` (from 0) of the conversation array `key` of the body.
    Items {
        key: String,
        first: usize,
        last: usize,
    },
    /// A span attribute (`session.id`).
    Attribute {
        key: String,
    },
    /// The connection itself (a WebSocket).
    Connection,
}

/// A side and a part: a place in any call.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct At {
    pub side: Side,
    pub part: Part,
}

impl At {
    pub fn new(side: Side, part: Part) -> At {
        At { side, part }
    }

    /// A whole body, or the root a body walk appends pointers to.
    pub fn body(side: Side) -> At {
        At::new(side, Part::Body { pointer: String::new() })
    }

    pub fn sent(part: Part) -> At {
        At::new(Side::Sent, part)
    }

    /// The place in call `call`.
    pub fn of(self, call: usize) -> Place {
        Place { call, side: self.side, part: self.part }
    }

    /// Appends one JSON pointer segment (`~` and `/` escaped) to a body, event or frame place.
    pub fn push_key(&mut self, key: &str) {
        if let Some(pointer) = self.part.pointer_mut() {
            pointer.push('/');
            pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
        }
    }

    /// Appends a JSON pointer (`/data/0/id`, its keys escaped already).
    pub fn push_pointer(&mut self, pointer: &str) {
        if let Some(own) = self.part.pointer_mut() {
            own.push_str(pointer);
        }
    }

    /// Appends one segment as it is (an array index, a form field's name).
    pub fn push_raw(&mut self, segment: &str) {
        if let Some(pointer) = self.part.pointer_mut() {
            pointer.push('/');
            pointer.push_str(segment);
        }
    }

    /// The length of the pointer, to cut it back with [`At::truncate`] after a nested walk.
    pub fn pointer_len(&self) -> usize {
        match &self.part {
            Part::Body { pointer } | Part::Event { pointer, .. } | Part::Frame { pointer, .. } => pointer.len(),
            _ => 0,
        }
    }

    pub fn truncate(&mut self, len: usize) {
        if let Some(pointer) = self.part.pointer_mut() {
            pointer.truncate(len);
        }
    }

    /// The same place in an event of a streamed body.
    pub fn event(&self, index: usize) -> At {
        At::new(self.side, Part::Event { index, pointer: String::new() })
    }
}

impl Part {
    fn pointer_mut(&mut self) -> Option<&mut String> {
        match self {
            Part::Body { pointer } | Part::Event { pointer, .. } | Part::Frame { pointer, .. } => Some(pointer),
            _ => None,
        }
    }

    /// The same part with the names and pointers that came from the trace passed through `f`
    /// (the report's redaction).
    pub fn map_text(&self, f: impl Fn(&str) -> String) -> Part {
        match self {
            Part::Segment { index, template } => Part::Segment { index: *index, template: f(template) },
            Part::Path { template } => Part::Path { template: f(template) },
            Part::Query { name } => Part::Query { name: f(name) },
            Part::Header { name } => Part::Header { name: f(name) },
            Part::Cookie { name } => Part::Cookie { name: f(name) },
            Part::Body { pointer } => Part::Body { pointer: f(pointer) },
            Part::Event { index, pointer } => Part::Event { index: *index, pointer: f(pointer) },
            Part::Frame { index, pointer } => Part::Frame { index: *index, pointer: f(pointer) },
            Part::Items { key, first, last } => Part::Items { key: f(key), first: *first, last: *last },
            Part::Attribute { key } => Part::Attribute { key: f(key) },
            Part::Connection => Part::Connection,
        }
    }
}

/// A place in call `call` (from 0).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Place {
    pub call: usize,
    pub side: Side,
    pub part: Part,
}

impl Place {
    /// The side and part, without the call.
    pub fn at(&self) -> At {
        At { side: self.side, part: self.part.clone() }
    }
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_place(self.side, &self.part, f)
    }
}

/// A place as reports print it: `request.body/previous_response_id`.
fn write_place(side: Side, part: &Part, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let message = match side {
        Side::Sent => "request",
        Side::Received => "response",
    };
    let frame = match side {
        Side::Sent => "sent",
        Side::Received => "received",
    };
    match part {
        Part::Segment { template, .. } | Part::Path { template } => write!(f, "request.path/{template}"),
        Part::Query { name } => write!(f, "request.query/{name}"),
        Part::Header { name } => write!(f, "{message}.headers/{name}"),
        Part::Cookie { name } => write!(f, "{message}.cookies/{name}"),
        Part::Body { pointer } => write!(f, "{message}.body{pointer}"),
        Part::Event { index, pointer } => write!(f, "{message}.body.events[{index}]{pointer}"),
        Part::Frame { index, pointer } => write!(f, "{frame}.frame[{index}]{pointer}"),
        Part::Items { key, first, last } => write!(f, "{message}.body/{key}/{first}-{last}"),
        Part::Attribute { key } => write!(f, "span.attributes/{key}"),
        Part::Connection => write!(f, "transport/websocket"),
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_place(self.side, &self.part, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_print_as_reports_always_have() {
        let mut body = At::body(Side::Sent);
        body.push_key("previous_response_id");
        assert_eq!(body.to_string(), "request.body/previous_response_id");
        let mut frame = At::new(Side::Received, Part::Frame { index: 2, pointer: String::new() });
        frame.push_key("session");
        frame.push_raw("0");
        assert_eq!(frame.to_string(), "received.frame[2]/session/0");
        let mut event = At::body(Side::Received).event(3);
        event.push_key("a/b");
        assert_eq!(event.to_string(), "response.body.events[3]/a~1b");
        let items = At::sent(Part::Items { key: "messages".into(), first: 0, last: 3 });
        assert_eq!(items.to_string(), "request.body/messages/0-3");
        assert_eq!(At::new(Side::Received, Part::Cookie { name: "sid".into() }).to_string(), "response.cookies/sid");
        assert_eq!(At::sent(Part::Connection).to_string(), "transport/websocket");
        assert_eq!(At::body(Side::Received).to_string(), "response.body");
    }
}
