"""template.yaml after the SAM transform (what CloudFormation deploys), checked for the rules the
product depends on: behaviours and who may read what, the sign-in function's association, queues
and their dead-letter queues, concurrency, and the key flow. cfn-lint misses most of these.

Run by ./scripts/test with the deploy virtualenv (aws-sam-translator comes with aws-sam-cli).
"""

import copy
import json
import os
import pathlib
import re
import tomllib

import pytest
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

ROOT = pathlib.Path(__file__).resolve().parents[2]
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
# The paths a visitor without cookies may fetch: the sign-in endpoints, the sign-in and
# not-found pages, and content-hashed assets. Nothing else.
UNSIGNED = {"/_auth/login", "/_auth/logout", "/_auth/share", "/_auth/*", "/_assets/*"}
AUTH_PATHS = {"/_auth/login", "/_auth/logout", "/_auth/share"}


class _NoManagedPolicies:
    """SAM resolves managed policy names through IAM; this template names none."""

    def load(self):
        return {}


def _source():
    return yaml_parse((ROOT / "template.yaml").read_text())


def _transformed(originals, rate_limit=False):
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    template = _source()
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            # What `sam package` does: code lives in S3.
            resource["Properties"]["CodeUri"] = f"s3://artifacts/{name}.zip"
        if resource["Type"] == "AWS::Serverless::LayerVersion":
            resource["Properties"]["ContentUri"] = f"s3://artifacts/{name}.zip"
    out = transform(template, {}, _NoManagedPolicies())
    conditions = {"OriginalsOn": originals, "CustomDomain": False, "AlarmEmailGiven": False, "LoginRateLimitOn": rate_limit}
    return _resolve(out, conditions)


def _resolve(node, conditions):
    """Applies Fn::If with the given condition values, dropping AWS::NoValue."""
    if isinstance(node, dict):
        if set(node) == {"Fn::If"}:
            name, then, other = node["Fn::If"]
            return _resolve(then if conditions[name] else other, conditions)
        out = {}
        for k, v in node.items():
            r = _resolve(v, conditions)
            if r != {"Ref": "AWS::NoValue"}:
                out[k] = r
        return out
    if isinstance(node, list):
        return [r for r in (_resolve(v, conditions) for v in node) if r != {"Ref": "AWS::NoValue"}]
    return node


@pytest.fixture(scope="module", params=[False, True], ids=["originals-off", "originals-on"])
def cfn(request):
    return _transformed(request.param)


def resources(cfn, kind):
    return {k: v for k, v in cfn["Resources"].items() if v["Type"] == kind}


def distribution(cfn):
    (dist,) = resources(cfn, "AWS::CloudFront::Distribution").values()
    return dist["Properties"]["DistributionConfig"]


def behaviours(cfn):
    config = distribution(cfn)
    default = dict(config["DefaultCacheBehavior"], PathPattern="*")
    return config["CacheBehaviors"] + [default]


def ref_name(value):
    """The logical id a Ref / GetAtt points at."""
    if "Ref" in value:
        return value["Ref"]
    return value["Fn::GetAtt"][0] if isinstance(value["Fn::GetAtt"], list) else value["Fn::GetAtt"].split(".")[0]


def test_every_behaviour_targets_an_existing_origin(cfn):
    origins = {o["Id"]: o for o in distribution(cfn)["Origins"]}
    for b in behaviours(cfn):
        assert b["TargetOriginId"] in origins, b["PathPattern"]
        assert b["ViewerProtocolPolicy"] == "redirect-to-https"
    for origin in origins.values():
        if "S3OriginConfig" in origin:
            assert "OriginAccessControlId" in origin, "S3 origins are read through Origin Access Control"
            assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}, "no legacy OAI"


def test_signed_cookies_everywhere_but_sign_in_and_hashed_assets(cfn):
    (key_group,) = resources(cfn, "AWS::CloudFront::KeyGroup")
    for b in behaviours(cfn):
        if b["PathPattern"] in UNSIGNED:
            assert "TrustedKeyGroups" not in b, b["PathPattern"]
        else:
            assert [ref_name(g) for g in b["TrustedKeyGroups"]] == [key_group], b["PathPattern"]
    unsigned = {b["PathPattern"] for b in behaviours(cfn) if "TrustedKeyGroups" not in b}
    assert unsigned == UNSIGNED
    web = {b["PathPattern"]: b["TargetOriginId"] for b in behaviours(cfn)}
    # The unsigned web paths hold only what the site builder puts there (login, 404, assets).
    assert web["/_auth/*"] == "web" and web["/_assets/*"] == "web"


def test_album_paths_and_origins(cfn):
    patterns = [b["PathPattern"] for b in behaviours(cfn)]
    origin = {b["PathPattern"]: b["TargetOriginId"] for b in behaviours(cfn)}
    assert origin["*/_p/*"] == "resized"
    assert origin["*"] == "web"
    originals_on = "source" in {o["Id"] for o in distribution(cfn)["Origins"]}
    assert ("*/_o/*" in patterns) == originals_on
    if originals_on:
        assert origin["*/_o/*"] == "source"
    # More specific patterns come first; the default is last.
    assert patterns.index("/_auth/login") < patterns.index("/_auth/*")
    assert patterns[-1] == "*"


def test_edge_function_is_a_numbered_version_with_the_body_on_exactly_the_auth_paths(cfn):
    functions = resources(cfn, "AWS::Lambda::Function")
    versions = resources(cfn, "AWS::Lambda::Version")
    associated = {}
    for b in behaviours(cfn):
        for assoc in b.get("LambdaFunctionAssociations", []):
            associated[b["PathPattern"]] = (b, assoc)
    assert set(associated) == AUTH_PATHS
    for path, (b, assoc) in associated.items():
        version = ref_name(assoc["LambdaFunctionARN"])
        assert version in versions, f"{path}: a published version, not $LATEST or an alias"
        function = functions[ref_name(versions[version]["Properties"]["FunctionName"])]["Properties"]
        assert assoc["IncludeBody"] is True
        if assoc["EventType"] == "viewer-request":
            assert function["MemorySize"] <= 128 and function["Timeout"] <= 5
        else:
            assert assoc["EventType"] == "origin-request", path
            assert b["CachePolicyId"] == CACHING_DISABLED, "an origin trigger must see every request"
            assert function["Timeout"] <= 30
        assert "POST" in b["AllowedMethods"]
        assert "FunctionAssociations" not in b, "a behaviour cannot also carry a CloudFront Function"


def test_edge_function_has_no_environment_no_layers_x86_and_reads_only_its_config(cfn):
    versions = resources(cfn, "AWS::Lambda::Version")
    (version,) = [v for k, v in versions.items() if k.startswith("EdgeAuthFunction")]
    name = ref_name(version["Properties"]["FunctionName"])
    edge = cfn["Resources"][name]
    props = edge["Properties"]
    assert "Environment" not in props and "Layers" not in props
    assert props["Architectures"] == ["x86_64"]
    assert props["Runtime"].startswith("nodejs")
    assert edge["DeletionPolicy"] == "Retain", "replicas outlive the distribution by hours"
    # The shim reads the secret "<function name>-keys", which names the access object.
    name = cfn["Resources"]["EdgeKeysSecret"]["Properties"]["Name"]["Fn::Sub"]
    assert name == props["FunctionName"]["Fn::Sub"] + "-keys"
    role = cfn["Resources"][ref_name(props["Role"])]["Properties"]
    principals = role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"]
    assert sorted(principals) == ["edgelambda.amazonaws.com", "lambda.amazonaws.com"]
    statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    reads = [s for s in statements if s["Sid"] != "Logs"]
    assert reads == [
        {"Sid": "ReadOwnConfig", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": {"Ref": "EdgeKeysSecret"}},
        {"Sid": "ReadAccess", "Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Fn::Sub": "${AccessBucket.Arn}/access.json"}},
        {"Sid": "MissingAccessIs404", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": {"Fn::GetAtt": ["AccessBucket", "Arn"]}},
    ], "the key secret and the access object, read only"
    assert not role.get("ManagedPolicyArns")


def test_rewrites_run_on_the_default_and_originals_behaviours_only(cfn):
    for b in behaviours(cfn):
        functions = [ref_name(f["FunctionARN"]) for f in b.get("FunctionAssociations", [])]
        if b["PathPattern"] in {"*", "*/_o/*"}:
            assert functions == ["PathRewriteFunction"], b["PathPattern"]
            assert b["FunctionAssociations"][0]["EventType"] == "viewer-request"
        else:
            assert functions == [], b["PathPattern"]


def test_error_pages_come_from_unsigned_paths(cfn):
    errors = {e["ErrorCode"]: e for e in distribution(cfn)["CustomErrorResponses"]}
    assert errors[403] == {"ErrorCode": 403, "ResponsePagePath": "/_auth/login.html", "ResponseCode": 403, "ErrorCachingMinTTL": 0}
    assert errors[404]["ResponsePagePath"] == "/_auth/404.html" and errors[404]["ResponseCode"] == 404
    # Both pages must be reachable without cookies, or the error page itself would be a 403.
    for e in errors.values():
        assert e["ResponsePagePath"].startswith("/_auth/")


def test_every_queue_has_a_dead_letter_queue_and_a_long_enough_visibility_timeout(cfn):
    queues = resources(cfn, "AWS::SQS::Queue")
    dead_letter = {ref_name(q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]) for q in queues.values() if "RedrivePolicy" in q["Properties"]}
    functions = resources(cfn, "AWS::Lambda::Function")
    aliases = resources(cfn, "AWS::Lambda::Alias")
    consumers = {}
    for mapping in resources(cfn, "AWS::Lambda::EventSourceMapping").values():
        props = mapping["Properties"]
        target = ref_name(props["FunctionName"])
        if target in aliases:
            target = ref_name(aliases[target]["Properties"]["FunctionName"])
        consumers[ref_name(props["EventSourceArn"])] = (functions[target]["Properties"], props)
    for name, queue in queues.items():
        props = queue["Properties"]
        assert props.get("SqsManagedSseEnabled") is True, name
        if name in dead_letter:
            assert "RedrivePolicy" not in props
            assert props["MessageRetentionPeriod"] == 14 * 24 * 3600
            continue
        assert int(props["RedrivePolicy"]["maxReceiveCount"]) >= 3, name
        function, mapping = consumers[name]
        assert props["VisibilityTimeout"] >= 6 * function["Timeout"], name
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name
    assert set(consumers) == {"ResizeQueue", "SiteQueue", "VideoQueue"}


def _alarms_on(cfn, namespace, metric):
    """The alarms on `metric`, by the resource their first dimension names."""
    out = {}
    for name, alarm in resources(cfn, "AWS::CloudWatch::Alarm").items():
        props = alarm["Properties"]
        if (props["Namespace"], props["MetricName"]) == (namespace, metric):
            out[ref_name(props["Dimensions"][0]["Value"])] = props
    return out


def test_every_dead_letter_queue_and_sqs_fed_function_and_the_site_alarm_into_one_topic(cfn):
    (topic,) = resources(cfn, "AWS::SNS::Topic")
    queues = resources(cfn, "AWS::SQS::Queue")
    dead_letter = {ref_name(q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]) for q in queues.values() if "RedrivePolicy" in q["Properties"]}
    assert _alarms_on(cfn, "AWS/SQS", "ApproximateNumberOfMessagesVisible").keys() == dead_letter
    consumers = set()
    for mapping in resources(cfn, "AWS::Lambda::EventSourceMapping").values():
        target = ref_name(mapping["Properties"]["FunctionName"])
        aliases = resources(cfn, "AWS::Lambda::Alias")
        consumers.add(ref_name(aliases[target]["Properties"]["FunctionName"]) if target in aliases else target)
    assert _alarms_on(cfn, "AWS/Lambda", "Errors").keys() == consumers == {"ResizeFunction", "SiteFunction", "VideoFunction"}
    assert _alarms_on(cfn, "AWS/CloudFront", "5xxErrorRate").keys() == {"Distribution"}
    alarms = resources(cfn, "AWS::CloudWatch::Alarm")
    assert len(alarms) <= 10, "CloudWatch's free tier covers 10 alarms"
    for name, alarm in alarms.items():
        props = alarm["Properties"]
        assert props["AlarmActions"] == [{"Ref": topic}] and props["OKActions"] == [{"Ref": topic}], name
        assert props["TreatMissingData"] == "notBreaching", f"{name}: no traffic is not trouble"
        assert props["ComparisonOperator"] == "GreaterThanThreshold", name
    for name in ("ResizeDeadLetterAlarm", "SiteDeadLetterAlarm", "VideoDeadLetterAlarm", "ResizeErrorsAlarm", "SiteErrorsAlarm", "VideoErrorsAlarm"):
        assert alarms[name]["Properties"]["Threshold"] == 0, f"{name}: one is enough"
    (policy,) = resources(cfn, "AWS::SNS::TopicPolicy").values()
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    assert "KmsMasterKeyId" not in cfn["Resources"][topic]["Properties"], "alarms cannot use the AWS-managed SNS key"


def test_an_alarm_email_is_subscribed_only_when_given():
    source = _source()
    param = source["Parameters"]["AlarmEmail"]
    assert param["Default"] == ""
    assert re.fullmatch(param["AllowedPattern"], "") and re.fullmatch(param["AllowedPattern"], "me@example.com")
    assert not re.fullmatch(param["AllowedPattern"], "not an address")
    assert source["Conditions"]["AlarmEmailGiven"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}
    subscriptions = {k: v for k, v in source["Resources"].items() if v["Type"] == "AWS::SNS::Subscription"}
    assert [v.get("Condition") for v in subscriptions.values()] == ["AlarmEmailGiven"]
    (subscription,) = subscriptions.values()
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}


def test_the_login_rate_limit_is_off_by_default_and_guards_only_the_sign_in_paths():
    source = _source()
    param = source["Parameters"]["LoginRateLimit"]
    assert param["Default"] == 0 and 0 in param["AllowedValues"]
    assert all(v == 0 or v >= 100 for v in param["AllowedValues"]), "WAF takes no limit under 100 here"
    assert "$" in param["Description"], "the parameter says what it costs"
    assert source["Conditions"]["LoginRateLimitOn"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "LoginRateLimit"}, 0]}]}
    off = _transformed(False)["Resources"]
    assert "WebACLId" not in off["Distribution"]["Properties"]["DistributionConfig"]
    on = _transformed(False, rate_limit=True)["Resources"]
    config = on["Distribution"]["Properties"]["DistributionConfig"]
    assert config["WebACLId"] == {"Fn::GetAtt": ["LoginRateLimitAcl", "Arn"]}
    acl = on["LoginRateLimitAcl"]
    assert acl["Type"] == "AWS::WAFv2::WebACL" and acl["Condition"] == "LoginRateLimitOn"
    props = acl["Properties"]
    assert props["Scope"] == "CLOUDFRONT" and props["DefaultAction"] == {"Allow": {}}
    (rule,) = props["Rules"]
    assert rule["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    rate = rule["Statement"]["RateBasedStatement"]
    assert rate["Limit"] == {"Ref": "LoginRateLimit"} and rate["AggregateKeyType"] == "IP"
    match = rate["ScopeDownStatement"]["ByteMatchStatement"]
    assert (match["FieldToMatch"], match["PositionalConstraint"], match["SearchString"]) == ({"UriPath": {}}, "STARTS_WITH", "/_auth/")
    # Every sign-in path the distribution routes to the edge function is under the guard.
    assert all(path.startswith(match["SearchString"]) for path in AUTH_PATHS)


def test_site_builder_runs_at_most_twice_at_once_and_nothing_reserves_concurrency(cfn):
    for name, function in resources(cfn, "AWS::Lambda::Function").items():
        assert "ReservedConcurrentExecutions" not in function["Properties"], name
    site = cfn["Resources"]["SiteFunctionSiteChanges"]["Properties"]
    assert site["ScalingConfig"] == {"MaximumConcurrency": 2}
    assert site["MaximumBatchingWindowInSeconds"] == {"Ref": "BatchingWindowSeconds"}
    assert cfn["Parameters"]["BatchingWindowSeconds"]["Default"] == 10


def test_a_full_render_can_continue_through_its_own_queue(cfn):
    site = cfn["Resources"]["SiteFunction"]["Properties"]
    assert site["Environment"]["Variables"]["SITE_QUEUE_URL"] == {"Ref": "SiteQueue"}
    role = cfn["Resources"][ref_name(site["Role"])]["Properties"]
    sends = [
        s["Resource"]
        for p in role["Policies"]
        for s in p["PolicyDocument"]["Statement"]
        if any(a.startswith("sqs:SendMessage") for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]]))
    ]
    assert sends and all("SiteQueue" in json.dumps(r) for r in sends), sends


def test_no_bucket_is_public_and_bucket_policies_admit_only_this_distribution(cfn):
    buckets = resources(cfn, "AWS::S3::Bucket")
    for name, bucket in buckets.items():
        props = bucket["Properties"]
        assert all(props["PublicAccessBlockConfiguration"].values()) and len(props["PublicAccessBlockConfiguration"]) == 4, name
        sse = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
        assert sse == {"SSEAlgorithm": "AES256"}, name
        assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    policies = resources(cfn, "AWS::S3::BucketPolicy")
    assert {ref_name(p["Properties"]["Bucket"]) for p in policies.values()} == set(buckets)
    for name, policy in policies.items():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        deny = [s for s in statements if s["Effect"] == "Deny"]
        assert deny and deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}, f"{name}: TLS only"
        for s in statements:
            if s["Effect"] != "Allow":
                continue
            assert s["Principal"] == {"Service": "cloudfront.amazonaws.com"}, name
            assert s["Action"] in ("s3:GetObject", "s3:ListBucket"), name
            source = s["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
            assert source.endswith(":distribution/${Distribution}"), name


def test_one_secret_is_the_fixed_cost_and_the_helper_reads_only_this_stacks_former_secrets(cfn):
    # Secrets Manager bills $0.40 a secret a month whatever it holds: one (the signing keys), and
    # users and links in the access bucket (README: costs).
    assert list(resources(cfn, "AWS::SecretsManager::Secret")) == ["EdgeKeysSecret"]
    assert "AccessBucket" in resources(cfn, "AWS::S3::Bucket")
    assert "AccessBucket" not in json.dumps(distribution(cfn)["Origins"]), "never served"
    helper = cfn["Resources"]["StackHelperFunctionRole"]["Properties"]
    statements = [s for p in helper["Policies"] for s in p["PolicyDocument"]["Statement"]]
    former = [s for s in statements if s["Action"] == "secretsmanager:GetSecretValue"]
    assert len(former) == 1
    for arn in former[0]["Resource"]:
        assert ":secret:${AWS::StackName}-" in arn["Fn::Sub"] and arn["Fn::Sub"].endswith("-??????"), arn
    listed = [s for s in statements if s["Action"] == "secretsmanager:ListSecrets"]
    assert listed and listed[0]["Resource"] == "*", "ListSecrets takes no resource; it returns names, not values"


def test_the_source_bucket_keeps_the_owners_photos(cfn):
    source = cfn["Resources"]["SourceBucket"]
    assert source["DeletionPolicy"] == "Retain" and source["UpdateReplacePolicy"] == "Retain"
    props = source["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = props["LifecycleConfiguration"]["Rules"]
    assert any(t["StorageClass"] == "INTELLIGENT_TIERING" for r in rules for t in r.get("Transitions", []))
    assert any("NoncurrentVersionExpiration" in r for r in rules)
    events = {(c["Event"], ref_name(c["Queue"])) for c in props["NotificationConfiguration"]["QueueConfigurations"]}
    assert events == {("s3:ObjectCreated:*", "ResizeQueue"), ("s3:ObjectRemoved:*", "ResizeQueue")}
    # The notification is validated while the bucket is created: the queue policy must exist.
    assert source["DependsOn"] in ("ResizeQueuePolicy", ["ResizeQueuePolicy"])
    queue_policy = cfn["Resources"]["ResizeQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (statement,) = queue_policy
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::Sub"][0] == "arn:${AWS::Partition}:s3:::" + props["BucketName"]["Fn::Sub"][0]
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::Sub"][1] == props["BucketName"]["Fn::Sub"][1]
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}


def test_no_role_grants_s3_or_sqs_on_everything(cfn):
    for name, role in resources(cfn, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for s in policy["PolicyDocument"]["Statement"]:
                actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
                targets = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
                if any(a.split(":")[0] in ("s3", "sqs") for a in actions):
                    assert "*" not in targets, f"{name}: {actions} on *"
        for arn in role["Properties"].get("ManagedPolicyArns", []):
            text = json.dumps(arn)
            assert "AmazonS3" not in text and "AmazonSQS" not in text, name


def test_signing_key_is_made_in_the_stack_and_only_public_halves_reach_cloudfront(cfn):
    r = cfn["Resources"]
    for slot in (0, 1):
        key = r[f"PublicKey{slot}"]["Properties"]["PublicKeyConfig"]
        assert key["EncodedKey"] == {"Fn::GetAtt": ["SigningKeys", f"PublicKey{slot}"]}
        assert key["Name"] == {"Fn::GetAtt": ["SigningKeys", f"Name{slot}"]}
    items = r["KeyGroup"]["Properties"]["KeyGroupConfig"]["Items"]
    assert [ref_name(i) for i in items] == ["PublicKey0", "PublicKey1"]
    for custom in ("SigningKeys", "EdgeConfig", "SiteRender", "EmptyBuckets"):
        props = r[custom]["Properties"]
        assert ref_name(props["ServiceToken"]) == "StackHelperFunction"
        assert 0 < props["ServiceTimeout"] <= 3600, custom
    assert r["SigningKeys"]["Properties"]["Generation"] == {"Ref": "KeyGeneration"}
    # A rotated key signs only once the key group trusts it; the site goes live with a key.
    assert r["EdgeConfig"]["DependsOn"] in ("KeyGroup", ["KeyGroup"])
    assert r["Distribution"]["DependsOn"] in ("EdgeConfig", ["EdgeConfig"])
    # No output or parameter carries a private key, and no output names the secret that holds one
    # (the users and share commands work on the access object alone).
    assert "PrivateKey" not in json.dumps(cfn["Outputs"]) and "PrivateKey" not in json.dumps(cfn["Parameters"])
    assert "EdgeKeysSecret" not in json.dumps(cfn["Outputs"])


def test_derived_buckets_are_emptied_after_the_functions_that_write_them_are_gone(cfn):
    r = cfn["Resources"]
    assert [ref_name(b) for b in r["EmptyBuckets"]["Properties"]["Buckets"]] == ["ResizedBucket", "WebBucket", "AccessBucket"]
    for function in ("ResizeFunction", "SiteFunction"):
        depends = r[function].get("DependsOn", [])
        assert "EmptyBuckets" in (depends if isinstance(depends, list) else [depends]), function


def test_security_headers(cfn):
    (policy,) = resources(cfn, "AWS::CloudFront::ResponseHeadersPolicy").values()
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self'", "no inline scripts"
    assert directives["default-src"] == "'none'"
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    for b in behaviours(cfn):
        assert ref_name(b["ResponseHeadersPolicyId"]) == "SecurityHeaders", b["PathPattern"]


def test_functions_build_with_cargo_lambda_and_the_edge_with_its_makefile():
    source = _source()["Resources"]
    for name in ("ResizeFunction", "SiteFunction", "VideoFunction"):
        assert source[name]["Metadata"] == {"BuildMethod": "rust-cargolambda"}
        assert source[name]["Properties"]["Runtime"] == "provided.al2023"
        code = source[name]["Properties"]["CodeUri"]
        # `CodeUri: .` fails: the workspace's default-members has no Lambda binary.
        assert (ROOT / code / "Cargo.toml").exists() and code != "."
    assert source["EdgeAuthFunction"]["Metadata"] == {"BuildMethod": "makefile"}
    makefile = (ROOT / source["EdgeAuthFunction"]["Properties"]["CodeUri"] / "Makefile").read_text()
    assert "build-EdgeAuthFunction:" in makefile
    layer = source["FfmpegLayer"]
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    makefile = (ROOT / layer["Properties"]["ContentUri"] / "Makefile").read_text()
    assert "build-FfmpegLayer:" in makefile
    # The layer holds the same ffmpeg as the tests: one pinned wheel version.
    pinned = (ROOT / "scripts" / "requirements-test.txt").read_text()
    version = re.search(r"WHEEL_VERSION := (\S+)", makefile).group(1)
    assert f"imageio-ffmpeg=={version}" in pinned


def test_the_video_worker_has_ffmpeg_disk_time_and_only_its_buckets_and_queue(cfn):
    (function,) = [f for f in resources(cfn, "AWS::Lambda::Function").values() if f["Properties"].get("Layers")]
    props = function["Properties"]
    assert props["Architectures"] == ["x86_64"], "the static ffmpeg is x86_64"
    assert props["EphemeralStorage"]["Size"] >= 10240, "a 4 GiB source and its web copy fit on disk"
    env = props["Environment"]["Variables"]
    assert env["SHOEBOX_FFMPEG"] == "/opt/bin/ffmpeg"
    assert int(env["FFMPEG_TIMEOUT_SECONDS"]) < props["Timeout"], "ffmpeg is stopped before the Lambda"
    resize = cfn["Resources"]["ResizeFunction"]["Properties"]
    assert ref_name(resize["Environment"]["Variables"]["VIDEO_QUEUE_URL"]) == "VideoQueue"


def test_outputs_tell_the_owner_what_to_do_next(cfn):
    outputs = cfn["Outputs"]
    for name in ("SiteUrl", "SourceBucket", "ResizedBucket", "WebBucket", "UploadCommand", "AddUserCommand", "AccessBucket"):
        assert name in outputs, name
    assert "shoebox users add NAME --stack ${AWS::StackName}" in outputs["AddUserCommand"]["Value"]["Fn::Sub"]
    assert outputs["UploadCommand"]["Value"]["Fn::Sub"].startswith("aws s3 sync ")
    # `shoebox status` and `retry` find the queues through these (in the transformed template too).
    for queue in ("ResizeQueue", "ResizeDeadLetterQueue", "SiteQueue", "SiteDeadLetterQueue"):
        assert outputs[f"{queue}Url"]["Value"] == {"Ref": queue}, queue


def test_samconfig_needs_no_flags():
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    default = config["default"]
    assert default["global"]["parameters"]["region"] == "us-east-1"
    assert default["global"]["parameters"]["stack_name"]
    deploy = default["deploy"]["parameters"]
    assert "CAPABILITY_IAM" in deploy["capabilities"]
    assert deploy["resolve_s3"] is True
    assert default["validate"]["parameters"]["lint"] is True
    # The sign-in function needs its makefile run inside the repository (it builds the workspace).
    assert default["build"]["parameters"].get("build_in_source") is True


def test_parameters_have_safe_defaults():
    source = _source()
    params = source["Parameters"]
    assert params["Originals"]["Default"] == "false", "originals carry GPS: off unless asked for"
    assert params["DomainName"]["Default"] == "" and params["CertificateArn"]["Default"] == ""
    assert re.fullmatch(params["DomainName"]["AllowedPattern"], "photos.example.com")
    assert not re.fullmatch(params["DomainName"]["AllowedPattern"], "https://photos.example.com/")
    assert copy.deepcopy(source["Rules"]["UsEast1Only"]["Assertions"][0]["Assert"]) == {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}
