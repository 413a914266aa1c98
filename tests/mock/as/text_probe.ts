// tests/mock/as/text_probe.ts: an AssemblyScript program that prints how
// the AS mocks show requests (parigot/mock's messageToText, read from the
// descriptor generated code embeds) for messages of every kind of field in
// tests/proto/schema's rich.proto: scalars of each type, negative and
// floating values, strings with quotes, bytes, packed and unpacked repeated
// fields, a map, nested and imported messages, a oneof, an escaped name
// and a field numbered past two-byte tags. It also makes the generated
// mock of parigot.test.v1.RichService, whose methods take messages of
// another file, and prints how its expectations are named. test_mock_as
// compares the lines with what they must be.
import { exit, guest, print } from "parigot";
import { messageToText } from "parigot/mock";
import * as c from "parigot/test/common/v1/common.pg";
import * as r from "parigot/test/v1/rich.pg";
export * from "parigot/exports";

function point(x: i64, label: string): c.Point {
  const p = new c.Point();
  p.x = x;
  p.y = -x;
  p.label = label;
  p.status = c.Status.STATUS_FAILED;
  return p;
}

function show(m: r.Rich): void {
  print(messageToText(m, r.__file, ".parigot.test.v1.Rich"));
}

const mock = new r.RichServiceMock();

guest((): void => {}, (): void => {
  const s = new r.Scalars();
  s.fDouble = 1.5;
  s.fFloat = -0.25;
  s.fInt32 = -7;
  s.fInt64 = -8000000000;
  s.fUint32 = 4000000000;
  s.fUint64 = 18000000000000000000;
  s.fSint32 = -3;
  s.fSint64 = -9;
  s.fFixed32 = 10;
  s.fFixed64 = 11;
  s.fSfixed32 = -12;
  s.fSfixed64 = -13;
  s.fBool = true;
  s.fString = "say \"hi\"";
  const b = new Uint8Array(3);
  b[0] = 0;
  b[1] = 0xab;
  b[2] = 0xff;
  s.fBytes = b;
  s.fEnum = r.Color.COLOR_NEGATIVE;
  const m = new r.Rich();
  m.scalars = s;
  show(m);

  const rep = new r.Repeateds();
  rep.fInt32 = [1, -2, 3];
  rep.fDouble = [0.5, 2];
  rep.fString = ["a", "b"];
  rep.fEnum = [r.Color.COLOR_RED, 7];
  rep.unpackedSint64 = [-1, 1];
  rep.fPoint = [point(1, "one")];
  const maps = new r.Maps();
  maps.stringInt32.set("k", 5);
  const m2 = new r.Rich();
  m2.repeateds = rep;
  m2.maps = maps;
  show(m2);

  const inner = new r.Rich_Inner();
  inner.a = 1;
  const child = new r.Rich_Inner();
  child.b = "deep";
  const leaf = new r.Rich_Inner_Leaf();
  leaf.hasWeight = true;
  leaf.weight = -4;
  child.leaf = leaf;
  inner.child = child;
  const m3 = new r.Rich();
  m3.inner = inner;
  m3.point = point(2, "two");
  m3.choiceCase = r.Rich_ChoiceCase.CHOICE_STRING;
  m3.choiceString = "picked";
  m3.default_ = 40;
  m3.maxFieldNumber = -1;
  show(m3);
  show(new r.Rich());

  print(mock.expectEcho().withRequest(m3).describe());
  print(mock.expectCount().describe());
  print(mock.echo.expect().when((req: r.Rich): bool => req.default_ == 1)
            .describe());
  print(mock.expectEcho().named("the echo").describe());
  exit(0);
});
