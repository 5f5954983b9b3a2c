"""The first-IAM-user walkthrough with boto3, against iamgraph's endpoint (test/aws/cli.int.test.ts runs it).

Configured only by the environment: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (the root key) and
IAMGRAPH_ENDPOINT. Prints one JSON object with what it saw; exits non-zero on any surprise.
"""
import json
import os
import sys

import boto3
from botocore.exceptions import ClientError

endpoint = os.environ["IAMGRAPH_ENDPOINT"]
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")

iam.create_group(GroupName="Py-Admins")
iam.attach_group_policy(GroupName="Py-Admins", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
user = iam.create_user(UserName="py-alice", Tags=[{"Key": "team", "Value": "py"}])["User"]
iam.add_user_to_group(GroupName="Py-Admins", UserName="py-alice")
key = iam.create_access_key(UserName="py-alice")["AccessKey"]

own = boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"], region_name="us-east-1")
me = own.client("sts", endpoint_url=endpoint).get_caller_identity()
listed = [u["UserName"] for u in own.client("iam", endpoint_url=endpoint).list_users()["Users"]]

# A user without permissions: boto3 raises ClientError with AWS's code and message.
iam.create_user(UserName="py-nobody")
weak = iam.create_access_key(UserName="py-nobody")["AccessKey"]
weak_iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=weak["AccessKeyId"], aws_secret_access_key=weak["SecretAccessKey"])
try:
    weak_iam.list_users()
    denied = None
except ClientError as e:
    denied = {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}

try:
    iam.get_user(UserName="py-missing")
    missing = None
except iam.exceptions.NoSuchEntityException as e:
    missing = e.response["Error"]["Code"]

json.dump({"userArn": user["Arn"], "createDate": user["CreateDate"].isoformat(), "callerArn": me["Arn"], "listed": listed, "denied": denied, "missing": missing}, sys.stdout)
