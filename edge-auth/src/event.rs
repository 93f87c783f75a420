//! CloudFront request events (origin-request when deployed; viewer-request events have the
//! same request shape) and the response objects a function returns.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `Records[0].cf.request` of a request event.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CfRequest {
    /// HTTP method.
    pub method: String,
    /// Path, without the query string.
    pub uri: String,
    /// The query string without `?`.
    #[serde(default)]
    pub querystring: String,
    /// Lower-case header names to `[{key, value}]`.
    #[serde(default)]
    pub headers: BTreeMap<String, Vec<HeaderValue>>,
    /// The body, when the behavior includes it.
    #[serde(default)]
    pub body: Option<CfBody>,
}

/// One header value as CloudFront writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderValue {
    /// The header name as the viewer sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The value.
    pub value: String,
}

/// The request body CloudFront passes to the function.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CfBody {
    /// `base64` or `text`.
    #[serde(default)]
    pub encoding: String,
    /// The body data.
    #[serde(default)]
    pub data: String,
    /// True when CloudFront cut the body (over 1 MB for an origin-request trigger).
    #[serde(default)]
    pub input_truncated: bool,
}

#[derive(Deserialize)]
struct Event {
    #[serde(rename = "Records")]
    records: Vec<Record>,
}
#[derive(Deserialize)]
struct Record {
    cf: Cf,
}
#[derive(Deserialize)]
struct Cf {
    request: CfRequest,
}

impl CfRequest {
    /// Parses the request out of a request event.
    pub fn from_event(json: &str) -> Result<Self, serde_json::Error> {
        let event: Event = serde_json::from_str(json)?;
        event
            .records
            .into_iter()
            .next()
            .map(|r| r.cf.request)
            .ok_or_else(|| serde::de::Error::custom("event has no Records"))
    }

    /// The first value of a header (name in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.first()).map(|h| h.value.as_str())
    }
}

/// A generated response, in the shape CloudFront accepts: `status` as a string, lower-case
/// header keys with `[{key, value}]`, one `set-cookie` entry per cookie, no null fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CfResponse {
    /// The status code as a string.
    pub status: String,
    /// The reason phrase.
    pub status_description: String,
    /// Headers.
    pub headers: BTreeMap<String, Vec<HeaderValue>>,
    /// The body as text (omitted when empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl CfResponse {
    /// A response with a status and no headers.
    pub fn new(status: u16) -> Self {
        let description = match status {
            200 => "OK",
            303 => "See Other",
            400 => "Bad Request",
            401 => "Unauthorized",
            404 => "Not Found",
            405 => "Method Not Allowed",
            413 => "Payload Too Large",
            415 => "Unsupported Media Type",
            500 => "Internal Server Error",
            _ => "",
        };
        Self {
            status: status.to_string(),
            status_description: description.into(),
            headers: BTreeMap::new(),
            body: None,
        }
    }

    /// Adds a header value (another entry for a repeated header such as `Set-Cookie`).
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers
            .entry(name.to_ascii_lowercase())
            .or_default()
            .push(HeaderValue { key: Some(name.to_owned()), value: value.into() });
        self
    }

    /// Sets the body and its content type; responses are never cached.
    pub fn body(self, content_type: &str, body: String) -> Self {
        let mut r = self.header("Content-Type", content_type).header("Cache-Control", "no-store");
        r.body = Some(body);
        r
    }

    /// The status as a number (for tests and the local gate).
    pub fn status_code(&self) -> u16 {
        self.status.parse().unwrap_or(500)
    }

    /// Every value of a header (lower-case name).
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.headers.get(name).map(|v| v.iter().map(|h| h.value.as_str()).collect()).unwrap_or_default()
    }
}
