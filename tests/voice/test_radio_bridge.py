"""``patrol radio-bridge`` driven by Debian's ``sipp``: RTP G.711 from a capture, answered.

The test writes an RTP capture (pcap: Ethernet, IPv4, UDP, RTP u-law, 20 ms packets) of a
fixture clip as a silence-suppressing radio gateway sends it: packets only while the
channel is open, none after the speech. ``sipp`` (a peer the project did not write) calls
the bridge's SIP answerer and replays the capture to its RTP port; the bridge opens a
``WS /v1/radio`` session for the SSRC on a real server with the real model, and the query
must be answered with no PTT event and no ``stop``: the gap alone ends the utterance.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import struct
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.radio_bridge import parse_rtp, serve_bridge
from tests.voice.helpers import Clip, LiveServer, pick, voice_settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

SSRC = 0x1234ABCD
SCENARIO = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="patrol radio gateway">
  <send retrans="500"><![CDATA[
INVITE sip:patrol@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: gw <sip:gw@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:patrol@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: sip:gw@[local_ip]:[local_port]
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=gw 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000

]]></send>
  <recv response="200" rtd="true"/>
  <send><![CDATA[
ACK sip:patrol@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: gw <sip:gw@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:patrol@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: sip:gw@[local_ip]:[local_port]
Max-Forwards: 70
Content-Length: 0

]]></send>
  <nop><action><exec play_pcap_audio="{pcap}"/></action></nop>
  <pause milliseconds="{pause_ms}"/>
  <send retrans="500"><![CDATA[
BYE sip:patrol@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: gw <sip:gw@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:patrol@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Contact: sip:gw@[local_ip]:[local_port]
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200" crlf="true"/>
</scenario>
"""


def _rtp(seq: int, ts: int, payload: bytes, marker: bool, pt: int = 0) -> bytes:
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt, seq & 0xFFFF, ts, SSRC) + payload


def write_pcap(path: Path, clip: Clip, trail_s: float = 0.3) -> float:
    """The clip as silence-suppressed RTP u-law: packets from 0.3 s before the speech to
    ``trail_s`` after it. Returns the capture's duration in seconds."""
    pcm = clip.pcm()
    assert clip.rate == 8000
    first = max(0, int((clip.entry["speech_start_s"] - 0.3) * 8000)) * 2
    last = int((clip.entry["speech_end_s"] + trail_s) * 8000) * 2
    ulaw = audioop.lin2ulaw(pcm[first:last], 2)
    records = []
    for n, offset in enumerate(range(0, len(ulaw), 160)):
        rtp = _rtp(n, n * 160, ulaw[offset:offset + 160], marker=n == 0)
        udp = struct.pack("!HHHH", 40002, 40000, 8 + len(rtp), 0) + rtp
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), n, 0, 64, 17, 0,
                         socket.inet_aton("127.0.0.1"), socket.inet_aton("127.0.0.1")) + udp
        frame = b"\x00" * 12 + b"\x08\x00" + ip
        t = n * 0.02
        records.append(struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(frame), len(frame)) + frame)
    path.write_bytes(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1) + b"".join(records))
    return len(records) * 0.02


def test_rtp_parsing_handles_csrcs_extensions_and_padding() -> None:
    plain = parse_rtp(_rtp(7, 1120, b"\x01\x02", marker=True, pt=8))
    assert plain is not None and (plain.payload_type, plain.sequence, plain.timestamp) == (8, 7, 1120)
    assert plain.ssrc == SSRC and plain.marker and plain.payload == b"\x01\x02"
    header = struct.pack("!BBHII", 0x80 | 0x20 | 0x10 | 1, 0, 1, 2, SSRC) + b"CSRC"
    packet = header + struct.pack("!HH", 0xBEDE, 1) + b"EXT!" + b"ab" + b"\x00\x02"
    parsed = parse_rtp(packet)
    assert parsed is not None and parsed.payload == b"ab"
    assert parse_rtp(b"\x00" * 20) is None and parse_rtp(b"\x80") is None


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def bridge_server(tmp_path_factory: pytest.TempPathFactory, transcriber: Any) -> Iterator[LiveServer]:
    from lookup.db import make_engine
    from lookup.migrate import upgrade
    from lookup.seed import SeedOptions, seed_registry
    from service.app import create_app

    settings = voice_settings(tmp_path_factory.mktemp("bridge"))
    upgrade(settings.registry.url)
    engine = make_engine(settings.registry.url)
    seed_registry(engine, SeedOptions(persons=300, vehicles=300))
    engine.dispose()
    with LiveServer(create_app(settings, transcriber=transcriber)) as server:
        yield server


@pytest.mark.skipif(shutil.which("sipp") is None, reason="sipp (Debian sip-tester) is not installed")
async def test_sipp_rtp_through_the_bridge_is_answered(bridge_server: LiveServer, clips: list[Clip],
                                                       tmp_path: Path) -> None:
    clip = pick(clips, channel="radio20", intent="plate_lookup", n=1)[0]
    duration = write_pcap(tmp_path / "call.pcap", clip)
    scenario = tmp_path / "gateway.xml"
    scenario.write_text(SCENARIO.replace("{pcap}", str(tmp_path / "call.pcap"))
                        .replace("{pause_ms}", str(int(duration * 1000) + 500)))
    events: list[tuple[float, dict[str, Any]]] = []
    rtp_port, sip_port = _free_udp_port(), _free_udp_port()
    def on_event(_ssrc: int, event: dict[str, Any]) -> None:
        events.append((time.monotonic(), event))

    bridge, transports = await serve_bridge(bridge_server.ws_url, port=rtp_port, sip_port=sip_port,
                                            idle_s=120, on_event=on_event)
    try:
        sipp = await asyncio.create_subprocess_exec(
            "sipp", "-sf", str(scenario), f"127.0.0.1:{sip_port}", "-m", "1", "-i", "127.0.0.1",
            "-p", str(_free_udp_port()), "-mp", str(_free_udp_port()), "-timeout", "60s", "-nostdin",
            "-trace_err", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=tmp_path)
        out, _ = await asyncio.wait_for(sipp.communicate(), 90)
        assert sipp.returncode == 0, out.decode(errors="replace")[-2000:]
        deadline = time.monotonic() + 240
        while not any(e["type"] == "result" for _t, e in events) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        kinds = [e["type"] if e["type"] != "speech" else f"speech {e['state']}" for _t, e in events]
        assert kinds[0] == "ready", kinds
        assert "speech start" in kinds and "speech end" in kinds and "result" in kinds, kinds
        assert kinds.index("speech end") < kinds.index("result")
        assert bridge.streams, "the stream is still open: the gap, not a stop, ended the utterance"
        transcript = next(e for _t, e in events if e["type"] == "transcript")
        assert transcript["text"], transcript
    finally:
        await bridge.close()
        for t in transports:
            t.close()
