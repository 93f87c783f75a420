"""Compares Shoebox's cookie values with botocore's CloudFrontSigner for the same key and policy.

Usage: python botocore_compat.py CASE.json   (written by shim.test.mjs)
Exits 0 when the policy text, CloudFront-Policy and CloudFront-Signature are byte-identical.
"""
import datetime
import json
import sys
from urllib.parse import parse_qs, urlsplit

from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

case = json.load(open(sys.argv[1]))
key = serialization.load_pem_private_key(case["privateKeyPem"].encode(), password=None)
digest = hashes.SHA256() if case["algorithm"] == "SHA256" else hashes.SHA1()
signer = CloudFrontSigner(case["keyPairId"], lambda message: key.sign(message, padding.PKCS1v15(), digest))

resource = f"https://{case['host']}/*"
expires = datetime.datetime.fromtimestamp(case["expires"], tz=datetime.timezone.utc)
policy = signer.build_policy(resource, expires)
url = signer.generate_presigned_url(resource, policy=policy)
query = parse_qs(urlsplit(url).query)

problems = []
if policy != case["policyText"]:
    problems.append(f"policy text differs:\n  botocore {policy}\n  shoebox  {case['policyText']}")
for ours, theirs in (("CloudFront-Policy", "Policy"), ("CloudFront-Signature", "Signature"), ("CloudFront-Key-Pair-Id", "Key-Pair-Id")):
    if query[theirs][0] != case["cookies"][ours]:
        problems.append(f"{ours} differs:\n  botocore {query[theirs][0]}\n  shoebox  {case['cookies'][ours]}")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"botocore agrees ({case['algorithm']})")
