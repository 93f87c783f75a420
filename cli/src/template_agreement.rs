//! The local gate and the deployed distribution are one table in spirit: this test reads
//! `template.yaml` and holds [`crate::gate`] to its behaviours (pattern, origin, signed, rewritten,
//! edge function), its path rewrite (on the table the CloudFront Function is tested on in Node),
//! its error pages and its security headers.

use crate::gate::{Origin, BEHAVIORS, SECURITY_HEADERS};
use serde_json::Value;
use shoebox_core::keys::{origin_path, LOGIN_PAGE_KEY, NOT_FOUND_PAGE_KEY};

fn repo_file(path: &str) -> String {
    let full = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// The template as plain data. CloudFormation's short tags (`!Ref`, `!If`, …) are dropped and
/// their arguments kept, so `!If [Cond, A, B]` reads as `[Cond, A, B]`.
fn template() -> Value {
    serde_saphyr::from_str(&repo_file("template.yaml")).expect("template.yaml parses")
}

fn distribution(t: &Value) -> &Value {
    &t["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
}

/// The behaviours in order, the default last, with the conditional one (`!If [OriginalsOn, …]`)
/// taken as deployed with originals on.
fn behaviours(t: &Value) -> Vec<Value> {
    let config = distribution(t);
    let mut out: Vec<Value> = config["CacheBehaviors"]
        .as_array()
        .expect("CacheBehaviors")
        .iter()
        .map(|b| match b {
            Value::Array(branches) => {
                assert_eq!(branches[0], "OriginalsOn", "the only conditional behaviour is the originals one");
                branches[1].clone()
            }
            b => b.clone(),
        })
        .collect();
    let mut default = config["DefaultCacheBehavior"].clone();
    default["PathPattern"] = "*".into();
    out.push(default);
    out
}

#[test]
fn the_gate_routes_like_the_distribution() {
    let t = template();
    let deployed = behaviours(&t);
    assert_eq!(deployed.len(), BEHAVIORS.len(), "same number of behaviours");
    for (b, gate) in deployed.iter().zip(BEHAVIORS) {
        let pattern = b["PathPattern"].as_str().expect("pattern");
        assert_eq!(pattern, gate.path_pattern, "same order and patterns");
        assert_eq!(b["TargetOriginId"].as_str(), Some(gate.origin.id()), "{pattern}: origin");
        assert_eq!(b.get("TrustedKeyGroups").is_some(), gate.signed, "{pattern}: signed cookies");
        assert_eq!(b.get("FunctionAssociations").is_some(), gate.rewrite, "{pattern}: path rewrite");
        assert_eq!(
            b.get("LambdaFunctionAssociations").is_some(),
            gate.origin == Origin::EdgeAuth,
            "{pattern}: the edge function answers"
        );
    }
}

#[test]
fn the_gate_rewrites_paths_like_the_cloudfront_function() {
    let table: Value = serde_json::from_str(&repo_file("deploy/tests/path-rewrites.json")).expect("json");
    let cases = table["cases"].as_array().expect("cases");
    assert!(cases.len() >= 10);
    for case in cases {
        let (uri, to) = (case["uri"].as_str().expect("uri"), case["to"].as_str().expect("to"));
        assert_eq!(origin_path(uri), to, "{uri}");
    }
}

#[test]
fn the_gate_shows_the_same_error_pages() {
    let t = template();
    let errors = distribution(&t)["CustomErrorResponses"].as_array().expect("errors").clone();
    let page = |code: u64| {
        let e = errors.iter().find(|e| e["ErrorCode"] == code).expect("configured");
        assert_eq!(e["ResponseCode"], code, "the status is kept");
        e["ResponsePagePath"].as_str().expect("path").to_owned()
    };
    assert_eq!(page(403), format!("/{LOGIN_PAGE_KEY}"));
    assert_eq!(page(404), format!("/{NOT_FOUND_PAGE_KEY}"));
}

#[test]
fn the_gate_sends_the_same_security_headers() {
    let t = template();
    let h = &t["Resources"]["SecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
        ["SecurityHeadersConfig"];
    let sts = &h["StrictTransportSecurity"];
    let mut hsts = format!("max-age={}", sts["AccessControlMaxAgeSec"]);
    if sts["IncludeSubdomains"] == true {
        hsts.push_str("; includeSubDomains");
    }
    let expected = [
        ("strict-transport-security", hsts),
        ("x-content-type-options", "nosniff".to_owned()),
        ("x-frame-options", h["FrameOptions"]["FrameOption"].as_str().expect("frame option").to_owned()),
        ("referrer-policy", h["ReferrerPolicy"]["ReferrerPolicy"].as_str().expect("referrer").to_owned()),
        (
            "content-security-policy",
            h["ContentSecurityPolicy"]["ContentSecurityPolicy"].as_str().expect("csp").to_owned(),
        ),
    ];
    for ((name, value), (gate_name, gate_value)) in expected.iter().zip(SECURITY_HEADERS) {
        assert_eq!((*name, value.as_str()), (gate_name, gate_value));
    }
}

#[test]
fn the_outputs_the_cli_reads_are_the_stack_s_parts() {
    use crate::status::{QUEUE_OUTPUTS, RESIZED_OUTPUT, SOURCE_OUTPUT, WEB_OUTPUT};
    let t = template();
    let output = |name: &str| {
        t["Outputs"][name]["Value"].as_str().unwrap_or_else(|| panic!("output {name}")).to_owned()
    };
    for (name, bucket) in
        [(SOURCE_OUTPUT, "SourceBucket"), (RESIZED_OUTPUT, "ResizedBucket"), (WEB_OUTPUT, "WebBucket")]
    {
        assert_eq!(output(name), bucket, "{name} is the bucket's name");
    }
    for name in crate::place::STACK_OUTPUTS {
        assert!(t["Outputs"][name].is_object(), "{name} is an output");
    }
    for (_, queue, dead) in QUEUE_OUTPUTS {
        let (queue, dead) = (output(queue), output(dead));
        for q in [&queue, &dead] {
            assert_eq!(t["Resources"][q.as_str()]["Type"], "AWS::SQS::Queue", "{q}");
        }
        let redrive = &t["Resources"][queue.as_str()]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"];
        assert_eq!(
            redrive.as_str(),
            Some(format!("{dead}.Arn").as_str()),
            "{dead} is {queue}'s dead-letter queue"
        );
    }
}

#[test]
fn the_access_object_is_where_the_stack_helper_makes_it_and_the_edge_may_read_it() {
    use crate::place::ACCESS_OBJECT;
    let t = template();
    assert_eq!(
        t["Outputs"]["AccessBucket"]["Value"], "AccessBucket",
        "the CLI finds the bucket by this output"
    );
    let config = &t["Resources"]["EdgeConfig"]["Properties"];
    assert_eq!(config["AccessObject"], ACCESS_OBJECT, "the stack helper makes the object the CLI edits");
    assert_eq!(config["AccessBucket"], "AccessBucket");
    let statements = t["Resources"]["EdgeAuthRole"]["Properties"]["Policies"][0]["PolicyDocument"]
        ["Statement"]
        .as_array()
        .expect("statements")
        .clone();
    let read = statements.iter().find(|s| s["Action"] == "s3:GetObject").expect("the edge reads the object");
    assert_eq!(read["Resource"], format!("${{AccessBucket.Arn}}/{ACCESS_OBJECT}"), "and that object only");
}
