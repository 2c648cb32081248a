#!/usr/bin/python3
"""Decodes the stories written by hpack_encode_stories with python-hpack and compares them with raw-data.

Run with Debian's /usr/bin/python3, which sees the python3-hpack package. Exits non-zero on any mismatch, on a
decoding error, or when no story was checked.
"""

import argparse
import json
import pathlib
import sys

import hpack

TABLE_SIZE = 4096  # our encoder's default, and SETTINGS_HEADER_TABLE_SIZE's


def expected_headers(raw_case):
    return [(name.encode("utf-8"), value.encode("utf-8")) for field in raw_case["headers"] for name, value in field.items()]


def check_story(encoded_path, raw_path):
    """Returns a list of problems (empty when the story decodes to raw-data's headers)."""
    encoded = json.loads(encoded_path.read_text(encoding="utf-8"))
    raw = json.loads(raw_path.read_text(encoding="utf-8"))
    problems = []
    if len(encoded["cases"]) != len(raw["cases"]):
        return [f"{len(encoded['cases'])} cases encoded, raw-data has {len(raw['cases'])}"]
    decoder = hpack.Decoder(max_header_list_size=1 << 24)
    decoder.max_allowed_table_size = TABLE_SIZE
    for seqno, (encoded_case, raw_case) in enumerate(zip(encoded["cases"], raw["cases"])):
        wire = bytes.fromhex(encoded_case["wire"])
        try:
            got = [(bytes(name), bytes(value)) for name, value in decoder.decode(wire, raw=True)]
        except hpack.HPACKError as error:
            problems.append(f"case {seqno}: python-hpack refused {encoded_case['wire']}: {error!r}")
            break  # the context is lost
        want = expected_headers(raw_case)
        if got != want:
            problems.append(f"case {seqno}: wire {encoded_case['wire']} decoded to {got!r}, expected {want!r}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--encoded", required=True, type=pathlib.Path, help="directory written by hpack_encode_stories")
    parser.add_argument("--raw", required=True, type=pathlib.Path, help="hpack-test-case/raw-data")
    args = parser.parse_args()

    raw_stories = sorted(args.raw.glob("*.json"))
    stories = cases = failures = 0
    for raw_path in raw_stories:
        encoded_path = args.encoded / raw_path.name
        if not encoded_path.exists():
            print(f"MISSING {encoded_path}")
            failures += 1
            continue
        problems = check_story(encoded_path, raw_path)
        stories += 1
        cases += len(json.loads(raw_path.read_text(encoding="utf-8"))["cases"])
        if problems:
            failures += 1
            print(f"FAIL {raw_path.name}")
            for problem in problems[:5]:
                print(f"  {problem}")
    print(f"python-hpack {hpack.__version__}: {stories} stories, {cases} header blocks checked, {failures} failed")
    if stories == 0:
        print("no stories were checked", file=sys.stderr)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
