#!/usr/bin/env python3
"""PyKMIP's TTLV codec on the very bytes OkvActors' codec benchmark uses (okv-lab's micro part).

Usage: pykmip_codec_bench.py REQUEST_FILE RESPONSE_FILE BATCH_SIZE [--seconds S]

REQUEST_FILE and RESPONSE_FILE hold raw TTLV (binary): a Get request of BATCH_SIZE items and its response,
as tests/OkvActors.Kmip.Benchmarks/GetSamples.cs builds them. Decode times RequestMessage().read on a fresh
BytearrayStream (as the server reads each request); encode decodes the response once, then times
ResponseMessage.write into a fresh BytearrayStream (as the server writes each response).

Each operation is timed with timeit: autorange picks a loop count, then REPEATS repeats of about S / REPEATS
seconds each; mean_ns is the mean over the repeats (comparable to BenchmarkDotNet's mean), best_ns the fastest
repeat. Allocation is not measured: Python's figures would not compare with .NET's allocated bytes.

Prints one JSON object on stdout. Exits 2 with {"error": ..., "missing": ...} when PyKMIP is not installed
(missing) or the bytes do not parse as expected, so a timing can never measure a failure.
"""

import argparse
import json
import platform
import statistics
import sys
import timeit

REPEATS = 5


def fail(message, missing=False):
    print(json.dumps({"error": message, "missing": missing}))
    sys.exit(2)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("request")
    parser.add_argument("response")
    parser.add_argument("batch", type=int)
    parser.add_argument("--seconds", type=float, default=1.5, help="time per operation, about")
    args = parser.parse_args()

    try:
        import kmip
        from kmip.core import enums
        from kmip.core.messages import contents, messages
        from kmip.core.utils import BytearrayStream
    except ImportError as e:
        fail(f"PyKMIP is not installed ({e}): apt-get install -y python3-pykmip", missing=True)

    with open(args.request, "rb") as f:
        request_bytes = f.read()
    with open(args.response, "rb") as f:
        response_bytes = f.read()

    def decode():
        request = messages.RequestMessage()
        request.read(BytearrayStream(request_bytes))
        return request

    # The checks: the whole request parsed into N Get items, the response into N successful key payloads.
    request = decode()
    if request.request_header.batch_count.value != args.batch or len(request.batch_items) != args.batch:
        fail(f"the request decoded to {len(request.batch_items)} batch items, expected {args.batch}")
    for item in request.batch_items:
        if item.operation.value != enums.Operation.GET or item.request_payload.unique_identifier is None:
            fail(f"a request batch item decoded as {item.operation.value}, not a Get with a UID")

    response = messages.ResponseMessage()
    response.read(BytearrayStream(response_bytes))
    if response.response_header.batch_count.value != args.batch or len(response.batch_items) != args.batch:
        fail(f"the response decoded to {len(response.batch_items)} batch items, expected {args.batch}")
    for item in response.batch_items:
        if item.result_status.value != enums.ResultStatus.SUCCESS or item.response_payload is None or item.response_payload.secret is None:
            fail("a response batch item decoded without a successful Get payload")
    # Write as the server would: in the message's own protocol version.
    version = contents.protocol_version_to_kmip_version(response.response_header.protocol_version)

    def encode():
        stream = BytearrayStream()
        response.write(stream, kmip_version=version)
        return stream

    encoded = encode().buffer
    if len(encoded) == 0:
        fail("the response encoded to nothing")

    print(json.dumps({
        "system": "PyKMIP codec",
        "pykmip": getattr(kmip, "__version__", "unknown"),
        "python": platform.python_version(),
        "batch": args.batch,
        "request_bytes": len(request_bytes),
        "response_bytes": len(response_bytes),
        # Whether PyKMIP writes back exactly the bytes ours wrote: then both encoders produced the same message.
        "encode_identical": bytes(encoded) == response_bytes,
        "decode": measure(decode, args.seconds),
        "encode": measure(encode, args.seconds),
    }))


def measure(operation, seconds):
    timer = timeit.Timer(operation)
    loops, took = timer.autorange()
    loops = max(1, int(loops * (seconds / REPEATS) / took))
    per_op = [t / loops * 1e9 for t in timer.repeat(repeat=REPEATS, number=loops)]
    return {
        "mean_ns": statistics.fmean(per_op),
        "best_ns": min(per_op),
        "stdev_ns": statistics.stdev(per_op),
        "loops": loops,
        "repeats": REPEATS,
    }


if __name__ == "__main__":
    main()
