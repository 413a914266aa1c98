#!/usr/bin/python3
# tests/wire/pbjson/oracle.py: protobuf's own json_format (Debian's
# python3-protobuf, 3.21) as the oracle for wire/pbjson.c.
#
#   oracle.py gen FDS SET SEED COUNT OUT   writes test cases
#   oracle.py check FDS CASES RESULTS      judges what pbjson made of them
#
# SET is "fixed" (hand-picked messages), "random" (COUNT seeded random
# messages), "merge" (COUNT messages sent as two serialized halves, which
# protobuf merges, plus unknown fields) or "reject" (JSON that json_format
# refuses). Each case is one line of tab-separated fields:
#
#   kind  type  binary(hex)  json(hex)  input-json(hex)
#
# kind "exact": pbjson's JSON of the binary must be json(hex) byte for byte;
# "merge": it must mean the same message (map keys may come in another
# order); "reject": input-json must be refused. json(hex) is json_format's
# MessageToDict printed by json.dumps with compact separators and UTF-8 left
# unescaped, map keys in the order of the deterministic binary (sorted). The
# input is that JSON or a variant json_format also reads: proto field names,
# enum numbers, integers as strings or numbers, URL-safe base64, \u escapes,
# whitespace.
#
# RESULTS has one line per case: pbjson's JSON of the binary and pbjson's
# binary of the input (hex), or "ERR<tab>message". check prints one line per
# failure and a closing "N passed, M failed"; it exits 1 if any failed.
import base64
import json
import math
import random
import struct
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, json_format
from google.protobuf import symbol_database
from google.protobuf.descriptor import FieldDescriptor as FD
# The well-known types' classes, with their JSON mixins, in the default pool.
from google.protobuf import any_pb2, duration_pb2, empty_pb2  # noqa: F401
from google.protobuf import field_mask_pb2, struct_pb2  # noqa: F401
from google.protobuf import timestamp_pb2, wrappers_pb2  # noqa: F401

POOL = descriptor_pool.Default()
WRAPPERS = {'google.protobuf.%s' % n for n in (
    'DoubleValue', 'FloatValue', 'Int64Value', 'UInt64Value', 'Int32Value',
    'UInt32Value', 'BoolValue', 'StringValue', 'BytesValue')}
SPECIAL = WRAPPERS | {'google.protobuf.%s' % n for n in (
    'Any', 'Timestamp', 'Duration', 'FieldMask', 'Struct', 'Value',
    'ListValue')}
INT64 = {FD.TYPE_INT64, FD.TYPE_UINT64, FD.TYPE_SINT64, FD.TYPE_FIXED64,
         FD.TYPE_SFIXED64}
INT32 = {FD.TYPE_INT32, FD.TYPE_UINT32, FD.TYPE_SINT32, FD.TYPE_FIXED32,
         FD.TYPE_SFIXED32}
FLT_MAX = float.fromhex('0x1.fffffep+127')


def load(fds_path):
    fds = descriptor_pb2.FileDescriptorSet.FromString(
        open(fds_path, 'rb').read())
    for f in fds.file:
        if not f.name.startswith('google/protobuf/'):
            POOL.Add(f)


def cls(name):
    return symbol_database.Default().GetPrototype(
        POOL.FindMessageTypeByName(name))


def is_map(f):
    return (f.type == FD.TYPE_MESSAGE and f.label == FD.LABEL_REPEATED and
            f.message_type.GetOptions().map_entry)


def key_order(kf):
    if kf.type == FD.TYPE_BOOL:
        return lambda k: k == 'true'
    if kf.type == FD.TYPE_STRING:
        return lambda k: k
    return int


# ---- rewriting JSON values by their schema ---------------------------------

def walk(desc, v, scalar):
    """Rebuilds the JSON value v of message type desc with map and Struct
    keys sorted, passing each scalar field value through scalar(f, x)."""
    full = desc.full_name
    if full in WRAPPERS:
        return scalar(desc.fields_by_name['value'], v)
    if full == 'google.protobuf.Struct':
        return {k: walk_value(v[k]) for k in sorted(v)}
    if full == 'google.protobuf.Value':
        return walk_value(v)
    if full == 'google.protobuf.ListValue':
        return [walk_value(x) for x in v]
    if full in SPECIAL and full != 'google.protobuf.Any':
        return v
    if full == 'google.protobuf.Any':
        if not v:
            return v
        inner = POOL.FindMessageTypeByName(v['@type'].split('/')[-1])
        out = {'@type': v['@type']}
        if inner.full_name in SPECIAL:
            out['value'] = walk(inner, v['value'], scalar)
        else:
            rest = {k: x for k, x in v.items() if k != '@type'}
            out.update(walk(inner, rest, scalar))
        return out
    fields = {f.name: f for f in desc.fields}
    fields.update({f.json_name: f for f in desc.fields})
    out = {}
    for k, x in v.items():
        f = fields[k]
        if is_map(f):
            kf = f.message_type.fields_by_name['key']
            vf = f.message_type.fields_by_name['value']
            out[k] = {kk: walk_field(vf, x[kk], scalar)
                      for kk in sorted(x, key=key_order(kf))}
        elif f.label == FD.LABEL_REPEATED:
            out[k] = [walk_field(f, e, scalar) for e in x]
        else:
            out[k] = walk_field(f, x, scalar)
    return out


def walk_field(f, x, scalar):
    if f.type == FD.TYPE_MESSAGE:
        return walk(f.message_type, x, scalar)
    return scalar(f, x)


def walk_value(x):
    if isinstance(x, dict):
        return {k: walk_value(x[k]) for k in sorted(x)}
    if isinstance(x, list):
        return [walk_value(e) for e in x]
    return x


def same(f, x):
    return x


def dumps(v, **kw):
    kw.setdefault('separators', (',', ':'))
    kw.setdefault('ensure_ascii', False)
    return json.dumps(v, **kw)


def expected_json(msg):
    return dumps(walk(msg.DESCRIPTOR, json_format.MessageToDict(msg), same))


def variant(msg, rng):
    """Some JSON that json_format reads as msg, in one of several forms."""
    desc = msg.DESCRIPTOR
    form = rng.randrange(5)
    proto_names = form == 1 or rng.random() < 0.3
    d = json_format.MessageToDict(
        msg, preserving_proto_field_name=proto_names,
        use_integers_for_enums=form == 2)

    def mutate(f, x):
        if x is None or isinstance(x, bool):
            return x
        if f.type in INT64 and rng.random() < 0.5:
            return int(x)
        if f.type in INT32 and rng.random() < 0.3:
            return str(x)
        if (f.type in (FD.TYPE_FLOAT, FD.TYPE_DOUBLE) and
                isinstance(x, float) and rng.random() < 0.3):
            return repr(x)
        if f.type == FD.TYPE_BYTES and rng.random() < 0.6:
            x = x.replace('+', '-').replace('/', '_')
            return x.rstrip('=') if rng.random() < 0.5 else x
        if (f.type == FD.TYPE_ENUM and isinstance(x, str) and
                rng.random() < 0.3):
            return f.enum_type.values_by_name[x].number
        return x
    d = walk(desc, d, mutate if form >= 3 else same)
    if form == 4:
        return dumps(d, indent=rng.choice([None, 1, '\t']),
                     separators=(', ', ': '), ensure_ascii=True)
    return dumps(d, ensure_ascii=rng.random() < 0.3)


# ---- random messages -------------------------------------------------------

class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        # Merging an Any whose value is empty into another keeps the other's
        # bytes under the new type, which protobuf reads as fields of the
        # wrong wire type (and keeps as unknown); pbjson refuses those.
        self.nonempty_any = False

    def string(self):
        r = self.rng
        pool = ['a', 'b', 'Z', '0', ' ', '"', '\\', '/', '\n', '\t', '\x00',
                '\x01', '\x1f', '\x7f', 'é', 'ß', '中', '\u2028', '\ufeff',
                '\uffff', '😀', '\U0010ffff', '<', '&', "'"]
        return ''.join(r.choice(pool) for _ in range(r.randrange(0, 12)))

    def double(self):
        r = self.rng
        c = r.randrange(6)
        if c == 0:
            return struct.unpack('<d', struct.pack('<Q', r.getrandbits(64)))[0]
        if c == 1:
            return r.choice([0.0, -0.0, 1.0, -1.5, 0.1, 1e16, 1e15, 1e-5,
                             1e-4, 123456789.0, math.nan, math.inf, -math.inf,
                             5e-324, 1.7976931348623157e308, 2.0 ** 53,
                             100.0, 1e22, 0.30000000000000004])
        if c == 2:
            return float(r.randrange(-10 ** 6, 10 ** 6))
        return r.uniform(-1, 1) * 10.0 ** r.randrange(-30, 30)

    def float(self):
        r = self.rng
        c = r.randrange(4)
        if c == 0:
            v = struct.unpack('<f', struct.pack('<I', r.getrandbits(32)))[0]
        elif c == 1:
            v = r.choice([0.0, -0.0, 1.0, 0.1, 3.14159, 1e10, 1e-10, 16.0,
                          math.nan, math.inf, -math.inf, 1.17549435e-38,
                          1.4e-45, 3.4028e38])
        else:
            v = r.uniform(-1, 1) * 10.0 ** r.randrange(-20, 20)
        v = struct.unpack('<f', struct.pack('<f', v))[0]
        # json_format refuses the shortest form of FLT_MAX ("3.4028235e+38"
        # reads back as more than FLT_MAX); see parse_float in pbjson.c.
        return 1.0 if abs(v) == FLT_MAX else v

    def int_bits(self, bits, signed):
        r = self.rng
        lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed \
            else (0, (1 << bits) - 1)
        c = r.randrange(4)
        if c == 0:
            return r.choice([lo, hi, 0, 1, lo + 1, hi - 1])
        if c == 1:
            return r.randrange(-300 if signed else 0, 300)
        return r.randint(lo, hi)

    def scalar(self, f):
        t = f.type
        r = self.rng
        if t == FD.TYPE_DOUBLE:
            return self.double()
        if t == FD.TYPE_FLOAT:
            return self.float()
        if t in (FD.TYPE_INT32, FD.TYPE_SINT32, FD.TYPE_SFIXED32):
            return self.int_bits(32, True)
        if t in (FD.TYPE_UINT32, FD.TYPE_FIXED32):
            return self.int_bits(32, False)
        if t in (FD.TYPE_INT64, FD.TYPE_SINT64, FD.TYPE_SFIXED64):
            return self.int_bits(64, True)
        if t in (FD.TYPE_UINT64, FD.TYPE_FIXED64):
            return self.int_bits(64, False)
        if t == FD.TYPE_BOOL:
            return r.random() < 0.5
        if t == FD.TYPE_STRING:
            return self.string()
        if t == FD.TYPE_BYTES:
            return bytes(r.getrandbits(8) for _ in range(r.randrange(0, 9)))
        if t == FD.TYPE_ENUM:
            if f.enum_type.full_name == 'google.protobuf.NullValue':
                return 0
            return r.choice([v.number for v in f.enum_type.values] + [7, -9])
        raise ValueError(t)

    def json_value(self, depth):
        r = self.rng
        c = r.randrange(7 if depth < 3 else 5)
        if c == 0:
            return None
        if c == 1:
            return r.random() < 0.5
        if c == 2:
            v = self.double()
            return 1.0 if math.isnan(v) or math.isinf(v) else v
        if c in (3, 4):
            return self.string()
        if c == 5:
            return {self.string(): self.json_value(depth + 1)
                    for _ in range(r.randrange(4))}
        return [self.json_value(depth + 1) for _ in range(r.randrange(4))]

    def special(self, m, depth):
        """Fills a well-known type; False if m is not one."""
        r = self.rng
        full = m.DESCRIPTOR.full_name
        if full in WRAPPERS:
            if r.random() < 0.8:
                m.value = self.scalar(m.DESCRIPTOR.fields_by_name['value'])
        elif full == 'google.protobuf.Timestamp':
            m.seconds = r.randint(-62135596800, 253402300799)
            m.nanos = r.choice([0, r.randrange(1000) * 1000000,
                                r.randrange(10 ** 6) * 1000,
                                r.randrange(10 ** 9)])
        elif full == 'google.protobuf.Duration':
            s = r.choice([0, r.randint(-315576000000, 315576000000),
                          r.randrange(-100, 100)])
            n = r.choice([0, r.randrange(1000) * 1000000, r.randrange(10 ** 9)])
            m.seconds = s
            m.nanos = -n if s < 0 or (s == 0 and r.random() < 0.5) else n
        elif full == 'google.protobuf.FieldMask':
            for _ in range(r.randrange(4)):
                m.paths.append('.'.join(
                    '_'.join(r.choice(['a', 'foo', 'bar2', 'x']) for _ in
                             range(r.randrange(1, 3)))
                    for _ in range(r.randrange(1, 3))))
        elif full == 'google.protobuf.Struct':
            m.update({self.string(): self.json_value(depth)
                      for _ in range(r.randrange(4))})
        elif full == 'google.protobuf.ListValue':
            m.extend([self.json_value(depth) for _ in range(r.randrange(4))])
        elif full == 'google.protobuf.Value':
            v = self.json_value(depth)
            if v is None:
                m.null_value = 0
            elif isinstance(v, bool):
                m.bool_value = v
            elif isinstance(v, float):
                m.number_value = v
            elif isinstance(v, str):
                m.string_value = v
            elif isinstance(v, dict):
                m.struct_value.update(v)
            else:
                m.list_value.extend(v)
        elif full == 'google.protobuf.Any':
            if r.random() < 0.15:
                return True
            name = r.choice([
                'example.v1.User', 'example.v1.Scalars', 'example.v1.Names',
                'example.v1.Oneofs', 'google.protobuf.Timestamp',
                'google.protobuf.Duration', 'google.protobuf.Struct',
                'google.protobuf.Value', 'google.protobuf.Int64Value',
                'google.protobuf.StringValue', 'google.protobuf.Empty',
                'google.protobuf.FieldMask', 'google.protobuf.ListValue',
                'google.protobuf.Any'])
            inner = self.message(name, depth + 1)
            if self.nonempty_any and not inner.ByteSize():
                inner = self.message('example.v1.User')
                inner.name = 'not empty'
            m.Pack(inner, deterministic=True)
        else:
            return False
        return True

    def message(self, name, depth=0):
        m = cls(name)()
        self.fill(m, depth)
        return m

    def fill(self, m, depth):
        r = self.rng
        if self.special(m, depth):
            return
        for f in m.DESCRIPTOR.fields:
            if r.random() < 0.45:
                continue
            if f.type == FD.TYPE_MESSAGE and depth >= 3 and \
                    r.random() < 0.8:
                continue
            if is_map(f):
                kf = f.message_type.fields_by_name['key']
                vf = f.message_type.fields_by_name['value']
                field = getattr(m, f.name)
                for _ in range(r.randrange(4)):
                    k = self.scalar(kf)
                    if vf.type == FD.TYPE_MESSAGE:
                        self.fill(field[k], depth + 1)
                    else:
                        field[k] = self.scalar(vf)
            elif f.label == FD.LABEL_REPEATED:
                field = getattr(m, f.name)
                for _ in range(r.randrange(4)):
                    if f.type == FD.TYPE_MESSAGE:
                        self.fill(field.add(), depth + 1)
                    else:
                        field.append(self.scalar(f))
            elif f.type == FD.TYPE_MESSAGE:
                sub = getattr(m, f.name)
                sub.SetInParent()
                self.fill(sub, depth + 1)
            else:
                setattr(m, f.name, self.scalar(f))

    def unknown_fields(self):
        """Serialized fields numbered past every field of the schema."""
        r = self.rng
        out = b''
        for _ in range(r.randrange(1, 4)):
            num = r.randrange(1000, 5000)
            wt = r.choice([0, 1, 2, 3, 5])
            out += varint(num << 3 | wt)
            if wt == 0:
                out += varint(r.getrandbits(64))
            elif wt == 1:
                out += bytes(8)
            elif wt == 5:
                out += bytes(4)
            elif wt == 2:
                out += varint(3) + b'abc'
            else:
                out += varint(7 << 3 | 0) + varint(1) + varint(num << 3 | 4)
        return out


def varint(v):
    out = b''
    while True:
        b = v & 0x7f
        v >>= 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


# ---- hand-picked cases -----------------------------------------------------

def fixed_cases():
    """(type, JSON json_format reads) pairs; each becomes a message."""
    return [
        ('example.v1.User', '{"name":"Ada","age":36}'),
        ('example.v1.User', '{"name":"Ada","bestFriend":{"name":"Bob",'
         '"friends":[{"age":1},{}]},"favorite":"COLOR_BLUE"}'),
        ('example.v1.User', '{"favorite":"COLOR_CRIMSON"}'),
        ('example.v1.User', '{"favorite":12}'),
        ('example.v1.User', '{}'),
        ('example.v1.Scalars', json.dumps({
            'fDouble': 1.5, 'fFloat': 0.1, 'fInt32': -2147483648,
            'fInt64': '-9223372036854775808', 'fUint32': 4294967295,
            'fUint64': '18446744073709551615', 'fSint32': -1,
            'fSint64': '9223372036854775807', 'fFixed32': 1,
            'fFixed64': '2', 'fSfixed32': -3, 'fSfixed64': '-4',
            'fBool': True, 'fString': 'h\u00e9llo "w"\\\n\u2028\U0001F600',
            'fBytes': '/+8=', 'fEnum': 'COLOR_GREEN'})),
        ('example.v1.Scalars', '{"fDouble":"NaN","fFloat":"Infinity"}'),
        ('example.v1.Scalars', '{"fDouble":"-Infinity","fFloat":"-Infinity"}'),
        ('example.v1.Scalars', '{"fDouble":-0.0,"fFloat":1e-45}'),
        ('example.v1.Scalars', '{"fDouble":1e16,"fFloat":1e16}'),
        ('example.v1.Scalars', '{"fDouble":1e-5,"fFloat":123456789}'),
        ('example.v1.Scalars', '{"fDouble":5e-324,"fFloat":3.4028e38}'),
        ('example.v1.Scalars', '{"fDouble":1.7976931348623157e308}'),
        ('example.v1.Scalars', '{"fDouble":100,"fString":"\\u0000\\u001f"}'),
        ('example.v1.Scalars', '{"fBytes":"AAEC_-8"}'),
        ('example.v1.Repeated', json.dumps({
            'rDouble': [0, -0.0, 'NaN', 2.5], 'rFloat': [0.5, 'Infinity'],
            'rInt32': [0, -1, 2147483647], 'rInt64': ['0', '-1'],
            'rUint32': [0, 4294967295], 'rUint64': ['0', '1'],
            'rSint32': [-5, 5], 'rSint64': ['-5'], 'rFixed32': [7],
            'rFixed64': ['8'], 'rSfixed32': [-9], 'rSfixed64': ['-10'],
            'rBool': [True, False, True], 'rString': ['', 'x'],
            'rBytes': ['', 'AA=='], 'rEnum': ['COLOR_RED', 99, 0],
            'rMsg': [{}, {'fInt32': 1}], 'rUnpacked': [1, 0, -1],
            'rUnpackedEnum': ['COLOR_BLUE', 'COLOR_UNSPECIFIED']})),
        ('example.v1.Maps', json.dumps({
            'strStr': {'': '', 'b': 'x', 'a': 'y', '\u00e9': 'z'},
            'i32I64': {'-1': '5', '0': '0', '2147483647': '-1'},
            'i64Str': {'-9223372036854775808': 'min'},
            'u32Bytes': {'4294967295': 'AQ=='}, 'u64Enum': {'1': 5},
            's32Double': {'-2': 1.5}, 's64Float': {'3': 0.25},
            'f32Bool': {'0': False, '9': True}, 'f64Msg': {'1': {}},
            'sf32U32': {'-1': 1}, 'sf64S64': {'7': '-7'},
            'boolStr': {'true': 't', 'false': 'f'},
            'nested': {'n': {'strStr': {'k': 'v'}}},
            'values': {'a': None, 'b': [1, 'x'], 'c': {'d': False}},
            'times': {'t': '1970-01-01T00:00:00Z'},
            'anys': {'1': {'@type': 'type.googleapis.com/example.v1.User',
                           'name': 'in a map'}}})),
        ('example.v1.Optionals', json.dumps({
            'oInt32': 0, 'oString': '', 'oEnum': 'COLOR_UNSPECIFIED',
            'oDouble': 0, 'oBool': False, 'oBytes': '', 'oInt64': '0',
            'oFloat': 0, 'oMsg': {}})),
        ('example.v1.Optionals', '{"oInt32":null,"oMsg":null}'),
        ('example.v1.Oneofs', '{"cInt32":0,"after":"x"}'),
        ('example.v1.Oneofs', '{"cString":""}'),
        ('example.v1.Oneofs', '{"cMsg":{}}'),
        ('example.v1.Oneofs', '{"cEnum":"COLOR_UNSPECIFIED"}'),
        ('example.v1.Oneofs', '{"cValue":null}'),
        ('example.v1.Oneofs', '{"cValue":{"a":[]}}'),
        ('example.v1.Oneofs', '{"cTime":"2000-02-29T23:59:59.5Z"}'),
        ('example.v1.Oneofs', '{"cBytes":"","oDouble":0}'),
        ('example.v1.Oneofs', '{"cSelf":{"cSelf":{"cInt32":3}},'
         '"oUser":{"name":"u"}}'),
        ('example.v1.WellKnown', json.dumps({
            'any': {'@type': 'type.googleapis.com/example.v1.User',
                    'name': 'x', 'age': 3},
            'time': '1972-01-01T10:00:20.021Z',
            'duration': '1.000340012s',
            'st': {'a': 1, 'b': [True, None, 'x', {'c': -2.5}]},
            'value': 'hello', 'list': [1, [], {}],
            'empty': {}, 'mask': 'a.bC,d',
            'wDouble': 0, 'wFloat': 1.5, 'wInt64': '0', 'wUint64': '7',
            'wInt32': 0, 'wUint32': 9, 'wBool': False, 'wString': '',
            'wBytes': '', 'anys': [
                {'@type': 'type.googleapis.com/google.protobuf.Duration',
                 'value': '-3.100s'},
                {'@type': 'type.googleapis.com/google.protobuf.Empty'},
                {'@type': 'type.googleapis.com/google.protobuf.Int32Value',
                 'value': 5},
                {'@type': 'type.googleapis.com/google.protobuf.Any',
                 'value': {'@type':
                           'type.googleapis.com/google.protobuf.Struct',
                           'value': {'k': 1}}},
                {}],
            'times': ['0001-01-01T00:00:00Z',
                      '9999-12-31T23:59:59.999999999Z',
                      '1970-01-01T00:00:00.000001Z',
                      '2024-06-30T12:00:00+02:00'],
            'durations': ['0s', '-0.5s', '315576000000s', '-315576000000s',
                          '0.000000001s', '1.5s'],
            'values': [None, 0, 'NaN', True, [], {}],
            'wInt64s': ['1', '-1'], 'structs': [{}, {'x': {}}],
            'nullValue': None})),
        ('example.v1.WellKnown', '{"value":null,"st":{},"list":[],'
         '"mask":"","duration":"0s","time":"1970-01-01T00:00:00Z"}'),
        ('example.v1.WellKnown', '{"any":{}}'),
        ('example.v1.WellKnown', '{"any":{"age":7,"@type":'
         '"example.com/x/example.v1.User"}}'),
        ('example.v1.Names', json.dumps({
            'snakeCaseName': 1, 'nameWithDouble': 2, 'camelName': 3,
            'x1': 4, 'renamed': 5, 'Leading': 6, 'trailing': 7, 'aBC': 8})),
        ('example.v1.Names', '{"snake_case_name":1,"name_with__double":2,'
         '"x_1":4,"custom":5,"_leading":6,"trailing_":7,"a_b_c":8}'),
        ('example.v1.Tree', tree(40)),
        ('google.protobuf.Timestamp', '"2017-01-15T01:30:15.010Z"'),
        ('google.protobuf.Duration', '"-1.000000001s"'),
        ('google.protobuf.Struct', '{"a":{"b":{"c":null}}}'),
        ('google.protobuf.Value', '[1,"2",{"3":false}]'),
        ('google.protobuf.Value', 'null'),
        ('google.protobuf.ListValue', '[]'),
        ('google.protobuf.Empty', '{}'),
        ('google.protobuf.FieldMask', '"user.displayName,photo"'),
        ('google.protobuf.Int64Value', '"-12"'),
        ('google.protobuf.BytesValue', '"AAE="'),
        ('google.protobuf.Any', '{"@type":"type.googleapis.com/'
         'google.protobuf.FieldMask","value":"a,b"}'),
    ]


def tree(depth):
    t = {'label': 'leaf'}
    for i in range(depth):
        t = {'label': str(i), 'children': [t], 'named': {'n': {}}}
    return json.dumps(t)


def reject_cases():
    """(type, JSON) that json_format refuses, and so must pbjson."""
    return [
        ('example.v1.User', '{"agee":1}'),
        ('example.v1.User', '{"age":"abc"}'),
        ('example.v1.User', '{"age":1.5}'),
        ('example.v1.User', '{"age":2147483648}'),
        ('example.v1.User', '{"age":true}'),
        ('example.v1.User', '{"name":5}'),
        ('example.v1.User', '{"favorite":"COLOR_PURPLE"}'),
        ('example.v1.User', '{"friends":{}}'),
        ('example.v1.User', '{"friends":[null]}'),
        ('example.v1.User', '{"name":"a","name":"b"}'),
        ('example.v1.User', '[1]'),
        ('example.v1.User', '{"name":"x"'),
        ('example.v1.User', '{"name":"\\ud800"}'),
        ('example.v1.Scalars', '{"fUint32":-1}'),
        ('example.v1.Scalars', '{"fUint64":"18446744073709551616"}'),
        ('example.v1.Scalars', '{"fInt64":"1 "}'),
        ('example.v1.Scalars', '{"fBool":"true"}'),
        ('example.v1.Scalars', '{"fDouble":"nan"}'),
        ('example.v1.Scalars', '{"fFloat":1e39}'),
        ('example.v1.Scalars', '{"fDouble":1e400}'),
        ('example.v1.Scalars', '{"fInt32":NaN}'),
        ('example.v1.Maps', '{"boolStr":{"yes":"x"}}'),
        ('example.v1.Maps', '{"i32I64":{"x":"1"}}'),
        ('example.v1.Maps', '{"strStr":[]}'),
        ('example.v1.Oneofs', '{"cInt32":1,"cString":"x"}'),
        ('example.v1.WellKnown', '{"time":"1972-01-01T10:00:20.021"}'),
        ('example.v1.WellKnown', '{"time":"1972-01-01t10:00:20Z"}'),
        ('example.v1.WellKnown', '{"time":"1972-01-01T10:00:20.0123456789Z"}'),
        ('example.v1.WellKnown', '{"duration":"1"}'),
        ('example.v1.WellKnown', '{"duration":"315576000001s"}'),
        ('example.v1.WellKnown', '{"mask":"a_b"}'),
        ('example.v1.WellKnown', '{"any":{"name":"x"}}'),
        ('example.v1.WellKnown', '{"any":{"@type":"type.googleapis.com/'
         'no.Such"}}'),
        ('example.v1.WellKnown', '{"st":[]}'),
        ('example.v1.WellKnown', '{"list":{}}'),
        ('example.v1.WellKnown', '{"wInt32":"x"}'),
        ('example.v1.Tree', tree(101)),
    ]


# ---- the commands ----------------------------------------------------------

def hx(b):
    return (b.encode('utf-8') if isinstance(b, str) else b).hex()


def gen(which, seed, count, out):
    g = Gen(seed)
    lines = []

    def add(kind, name, pb, msg, input_json):
        lines.append('\t'.join([kind, name, hx(pb), hx(expected_json(msg)),
                                hx(input_json)]))

    if which == 'fixed':
        for name, text in fixed_cases():
            msg = json_format.Parse(text, cls(name)())
            add('exact', name, msg.SerializeToString(deterministic=True), msg,
                text)
            add('exact', name, msg.SerializeToString(deterministic=True), msg,
                variant(msg, g.rng))
    elif which == 'random':
        for i in range(count):
            name = g.rng.choice(['example.v1.Everything'] * 3 + [
                'example.v1.Maps', 'example.v1.WellKnown',
                'example.v1.Oneofs', 'example.v1.Repeated'])
            msg = g.message(name)
            add('exact', name, msg.SerializeToString(deterministic=True), msg,
                variant(msg, g.rng))
    elif which == 'merge':
        g.nonempty_any = True
        while len(lines) < count:
            name = g.rng.choice(['example.v1.Everything', 'example.v1.Maps',
                                 'example.v1.Oneofs', 'example.v1.WellKnown'])
            a, b = g.message(name), g.message(name)
            pb = (a.SerializeToString(deterministic=True) + g.unknown_fields()
                  + b.SerializeToString(deterministic=True))
            msg = cls(name)()
            msg.ParseFromString(pb)
            try:
                add('merge', name, pb, msg, variant(msg, g.rng))
            except json_format.SerializeToJsonError:
                pass  # halves whose merge has no JSON (a Duration's signs)
    elif which == 'reject':
        for name, text in reject_cases():
            lines.append('\t'.join(['reject', name, '', '', hx(text)]))
    else:
        sys.exit('unknown set ' + which)
    with open(out, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def check(cases_path, results_path):
    cases = [l.rstrip('\n').split('\t') for l in open(cases_path) if l.strip()]
    results = [l.rstrip('\n').split('\t') for l in open(results_path)]
    passed = failed = 0
    for i, case in enumerate(cases):
        kind, name = case[0], case[1]
        res = results[i] if i < len(results) else ['ERR', 'no result']
        why = judge(kind, name, case, res)
        if why is None:
            passed += 1
        else:
            failed += 1
            if failed <= 20:
                print('case %d (%s %s): %s' % (i, kind, name, why))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


def judge(kind, name, case, res):
    text = bytes.fromhex(case[4]).decode('utf-8', 'replace')
    if kind == 'reject':
        try:
            json_format.Parse(text, cls(name)())
        except Exception:
            pass
        else:
            return 'json_format accepts %r' % text
        return None if res[0] == 'ERR' else 'pbjson accepted %r' % text
    if res[0] == 'ERR':
        return 'pbjson failed: ' + '\t'.join(res[1:])
    ours_json = bytes.fromhex(res[0]).decode('utf-8')
    expected = bytes.fromhex(case[3]).decode('utf-8')
    if kind == 'exact' and ours_json != expected:
        return 'JSON differs:\n  ours     %s\n  protobuf %s' % (ours_json,
                                                              expected)
    orig = cls(name)()
    orig.ParseFromString(bytes.fromhex(case[2]))
    try:
        back = json_format.Parse(ours_json, cls(name)())
    except Exception as e:
        return 'json_format cannot read our JSON %s: %s' % (ours_json, e)
    if json_format.MessageToDict(back) != json_format.MessageToDict(orig):
        return 'our JSON means another message: %s' % ours_json
    want = json_format.Parse(text, cls(name)())
    got = cls(name)()
    try:
        got.ParseFromString(bytes.fromhex(res[1]))
    except Exception as e:
        return 'protobuf cannot parse our binary %s: %s' % (res[1], e)
    if json_format.MessageToDict(got) != json_format.MessageToDict(want):
        return ('our binary of %s means another message:\n  ours     %s\n'
                '  protobuf %s' % (text, json_format.MessageToDict(got),
                                   json_format.MessageToDict(want)))
    return None


def main(argv):
    if len(argv) == 7 and argv[1] == 'gen':
        load(argv[2])
        gen(argv[3], int(argv[4]), int(argv[5]), argv[6])
        return 0
    if len(argv) == 5 and argv[1] == 'check':
        load(argv[2])
        return check(argv[3], argv[4])
    sys.stderr.write(__doc__ if __doc__ else 'usage: see the file header\n')
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
