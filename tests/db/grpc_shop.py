# SPDX-License-Identifier: Apache-2.0
"""tests/db/grpc_shop.py: clients written elsewhere call a parigot.db unit
at 127.0.0.1:PORT: Python grpcio (Debian's python3-grpcio) through the
stubs protoc --python_out made of parigot-sqlc's .proto, and Connect's JSON
through urllib.

Usage: grpc_shop.py PORT PYDIR. Prints one line per check; test_db_app.c
compares them.
"""
import json
import sys
import urllib.error
import urllib.request

import grpc

port, pydir = sys.argv[1], sys.argv[2]
sys.path.insert(0, pydir)
from shop.v1 import shop_queries_pb2 as pb  # noqa: E402

channel = grpc.insecure_channel("127.0.0.1:" + port)


def method(name, req, resp):
    return channel.unary_unary("/shop.v1.ShopQueries/" + name,
                               request_serializer=req.SerializeToString,
                               response_deserializer=resp.FromString)


add_artist = method("AddArtist", pb.AddArtistRequest, pb.AddArtistResponse)
add_record = method("AddRecord", pb.AddRecordRequest, pb.AddRecordResponse)
get_record = method("GetRecord", pb.GetRecordRequest, pb.GetRecordResponse)
batch = method("Batch", pb.BatchRequest, pb.BatchResponse)
raw_batch = channel.unary_unary("/shop.v1.ShopQueries/Batch",
                                request_serializer=lambda b: b,
                                response_deserializer=pb.BatchResponse.FromString)
begin = method("Begin", pb.BeginRequest, pb.BeginResponse)
commit = method("Commit", pb.CommitRequest, pb.CommitResponse)


def fails(what, call, req):
    try:
        call(req, timeout=10)
        print(f"{what}: answered")
    except grpc.RpcError as e:
        print(f"{what}: {e.code().name}: {e.details()}")


print(f"artist {add_artist(pb.AddArtistRequest(name='The Smiths'), timeout=10).last_insert_id}")
fails("again", add_artist, pb.AddArtistRequest(name="The Smiths"))
r = add_record(pb.AddRecordRequest(artist_id=1, title="Louder Than Bombs",
                                   price_cents=1799, quantity=3,
                                   cover=b"\x00\x01", is_sealed=True),
               timeout=10)
print(f"record {r.last_insert_id}")
g = get_record(pb.GetRecordRequest(id=1), timeout=10)
year = g.year if g.HasField("year") else None
print(f"get: id {g.id} title {g.title} year {year} cover {g.cover!r} "
      f"sealed {g.is_sealed}")
fails("missing", get_record, pb.GetRecordRequest(id=99))


def step_bytes(record_bytes):
    """A BatchStep holding add_record (field 2) as raw bytes."""
    return b"\x12" + bytes([len(record_bytes)]) + record_bytes


good = pb.AddRecordRequest(artist_id=1, title="Strangeways",
                           price_cents=999).SerializeToString()
bad = b"\x10\x05"  # field 2 (title) as a varint
steps = step_bytes(good), step_bytes(bad)
raw = b"".join(b"\x0a" + bytes([len(s)]) + s for s in steps)
fails("batch", raw_batch, raw)
ok = batch(pb.BatchRequest(steps=[
    pb.BatchStep(add_record=pb.AddRecordRequest(
        artist_id=1, title=t, price_cents=100))
    for t in ("Strangeways", "Rank")]), timeout=10)
print(f"batch: {len(ok.results)} results, last ids "
      f"{[x.last_insert_id for x in ok.results]}")
tx = begin(pb.BeginRequest(timeout_ms=5000), timeout=10).tx
rid = add_record(pb.AddRecordRequest(artist_id=1, title="Meat Is Murder",
                                     price_cents=1, tx=tx),
                 timeout=10).last_insert_id
commit(pb.CommitRequest(tx=tx), timeout=10)
seen = get_record(pb.GetRecordRequest(id=rid), timeout=10).title
print(f"tx: committed {rid}, seen outside after commit: "
      f"{seen == 'Meat Is Murder'}")


def connect(method_name, body):
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/shop.v1.ShopQueries/{method_name}",
        data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.read().decode()
    except urllib.error.HTTPError as e:
        return json.loads(e.read().decode())


print(f"connect json: {connect('GetRecord', {'id': '1'})}")
print(f"connect error: {connect('GetRecord', {'id': '99'})['code']}")
