"""``patrol radio-bridge``: a reference gateway from RTP G.711 on UDP to ``WS /v1/radio``.

A radio-over-IP gateway sends each talkgroup as an RTP stream of G.711 (payload type 0,
u-law, or 8, A-law) at 8 kHz, usually with silence suppression: while the channel is quiet
no packets come at all. The bridge listens on one UDP port and opens one websocket
session per RTP stream, with the SSRC as the channel. It forwards the G.711 payload as is
(``encoding`` ``mulaw`` or ``alaw`` in ``start``), in sequence order, dropping duplicates
and packets that come too late; the service's frame-gap rule ends utterances when packets
stop. A stream silent for ``idle_s`` is closed with ``stop`` (its last answers still come).

For peers that set up media with SIP (``sipp``'s ``uac_pcap`` scenario), an optional SIP
port answers ``INVITE`` with ``200 OK`` and an SDP pointing at the RTP port, and ``BYE``
with ``200 OK``: just enough signalling to receive a call's audio. Results are logged
(status and utterance only, no personal data) and handed to ``on_event`` when given.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import websockets

logger = logging.getLogger(__name__)

ENCODINGS = {0: "mulaw", 8: "alaw"}
OnEvent = Callable[[int, dict[str, Any]], None]


@dataclass(frozen=True, slots=True)
class RtpPacket:
    """The fields of one RTP packet the bridge uses."""

    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int
    marker: bool
    payload: bytes


def parse_rtp(data: bytes) -> RtpPacket | None:
    """Parse an RTP v2 packet (CSRCs, header extension and padding handled); None if not one."""
    if len(data) < 12 or data[0] >> 6 != 2:
        return None
    first, second, seq, ts, ssrc = struct.unpack("!BBHII", data[:12])
    offset = 12 + 4 * (first & 0x0F)
    if first & 0x10:  # header extension: 4 bytes, then its length in 32-bit words
        if len(data) < offset + 4:
            return None
        offset += 4 + 4 * struct.unpack("!H", data[offset + 2 : offset + 4])[0]
    end = len(data)
    if first & 0x20 and end > offset:  # padding: the last byte counts it
        end -= data[-1]
    if offset > end:
        return None
    return RtpPacket(second & 0x7F, seq, ts, ssrc, bool(second & 0x80), data[offset:end])


@dataclass
class _Stream:
    ssrc: int
    encoding: str
    queue: asyncio.Queue[bytes | None] = field(default_factory=asyncio.Queue)
    last_seq: int | None = None
    task: asyncio.Task[None] | None = None


class RadioBridge(asyncio.DatagramProtocol):
    """RTP in on UDP, one ``WS /v1/radio`` session per SSRC out."""

    def __init__(self, url: str, *, token: str | None = None, unit: str = "RADIO-GW",
                 idle_s: float = 30.0, on_event: OnEvent | None = None) -> None:
        self.url = url
        self.token = token
        self.unit = unit
        self.idle_s = idle_s
        self.on_event = on_event
        self.streams: dict[int, _Stream] = {}
        self.dropped = 0

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        """One UDP datagram: route its payload to its stream, in order."""
        packet = parse_rtp(data)
        if packet is None or packet.payload_type not in ENCODINGS or not packet.payload:
            self.dropped += 1  # not G.711 RTP (RTCP, comfort noise, other payloads)
            return
        stream = self.streams.get(packet.ssrc)
        if stream is None:
            stream = _Stream(packet.ssrc, ENCODINGS[packet.payload_type])
            stream.task = asyncio.get_running_loop().create_task(self._session(stream))
            self.streams[packet.ssrc] = stream
        if stream.last_seq is not None:
            ahead = (packet.sequence - stream.last_seq) & 0xFFFF
            if ahead == 0 or ahead > 0x8000:  # a duplicate, or older than what was sent
                self.dropped += 1
                return
        stream.last_seq = packet.sequence
        stream.queue.put_nowait(packet.payload)

    async def _session(self, stream: _Stream) -> None:
        url = self.url + (f"?token={self.token}" if self.token else "")
        try:
            async with websockets.connect(url, max_size=None) as ws:
                await ws.send(json.dumps({"type": "start", "rate": 8000, "encoding": stream.encoding,
                                          "unit": self.unit, "channel": f"ssrc-{stream.ssrc:08x}"}))
                reader = asyncio.create_task(self._read(stream.ssrc, ws))
                while True:
                    try:
                        payload = await asyncio.wait_for(stream.queue.get(), self.idle_s)
                    except TimeoutError:
                        payload = None
                    if payload is None:
                        break
                    await ws.send(payload)
                await ws.send(json.dumps({"type": "stop"}))
                await asyncio.wait_for(reader, 60)
        except (OSError, websockets.WebSocketException, TimeoutError) as err:
            logger.warning("bridge stream %08x ended: %s", stream.ssrc, type(err).__name__)
        finally:
            self.streams.pop(stream.ssrc, None)

    async def _read(self, ssrc: int, ws: Any) -> None:
        async for msg in ws:
            if not isinstance(msg, str):
                continue
            event = json.loads(msg)
            if event.get("type") in ("result", "error", "ready"):
                logger.info("stream %08x: %s %s", ssrc, event["type"],
                            event.get("status") or event.get("code", ""))
            if self.on_event is not None:
                self.on_event(ssrc, event)

    async def close(self) -> None:
        """Stop every stream (pending answers are still received)."""
        for stream in list(self.streams.values()):
            stream.queue.put_nowait(None)
        tasks = [s.task for s in self.streams.values() if s.task is not None]
        for task in tasks:
            with contextlib.suppress(Exception):
                await task


class SipAnswerer(asyncio.DatagramProtocol):
    """Answers SIP INVITE / BYE over UDP so a SIP peer sends its RTP to the bridge's port."""

    def __init__(self, host: str, rtp_port: int) -> None:
        self.host = host
        self.rtp_port = rtp_port
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport to reply on."""
        self.transport = transport  # type: ignore[assignment]  # a datagram endpoint's transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        """Reply 200 OK to INVITE (with SDP) and BYE; ignore ACK and anything else."""
        text = data.decode("utf-8", "replace")
        method = text.split(" ", 1)[0]
        if method not in ("INVITE", "BYE") or self.transport is None:
            return
        headers = [line for line in text.split("\r\n")[1:] if line.split(":", 1)[0].lower() in
                   ("via", "from", "to", "call-id", "cseq")]
        body = ""
        if method == "INVITE":
            body = (f"v=0\r\no=bridge 1 1 IN IP4 {self.host}\r\ns=patrol\r\nc=IN IP4 {self.host}\r\n"
                    f"t=0 0\r\nm=audio {self.rtp_port} RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n"
                    "a=rtpmap:8 PCMA/8000\r\n")
            headers = [h + ";tag=bridge" if h.lower().startswith("to:") and "tag=" not in h else h
                       for h in headers]
        reply = ["SIP/2.0 200 OK", *headers, f"Contact: <sip:bridge@{self.host}:{self.rtp_port}>"]
        if body:
            reply.append("Content-Type: application/sdp")
        reply += [f"Content-Length: {len(body.encode())}", "", body]
        self.transport.sendto("\r\n".join(reply).encode(), addr)


async def serve_bridge(url: str, *, host: str = "127.0.0.1", port: int = 40000, sip_port: int | None = None,
                       token: str | None = None, idle_s: float = 30.0,
                       on_event: OnEvent | None = None) -> tuple[RadioBridge, list[asyncio.BaseTransport]]:
    """Start the bridge (and the SIP answerer when ``sip_port`` is set) on the running loop."""
    loop = asyncio.get_running_loop()
    bridge = RadioBridge(url, token=token, idle_s=idle_s, on_event=on_event)
    transports: list[asyncio.BaseTransport] = [
        (await loop.create_datagram_endpoint(lambda: bridge, local_addr=(host, port)))[0]]
    if sip_port is not None:
        sip = (await loop.create_datagram_endpoint(lambda: SipAnswerer(host, port),
                                                   local_addr=(host, sip_port)))[0]
        transports.append(sip)
    logger.info("radio bridge: RTP on %s:%d -> %s%s", host, port, url,
                f", SIP on {sip_port}" if sip_port else "")
    return bridge, transports


def run_bridge(url: str, **kwargs: Any) -> None:
    """Run the bridge until interrupted (the ``patrol radio-bridge`` command)."""

    async def main() -> None:
        bridge, transports = await serve_bridge(url, **kwargs)
        try:
            await asyncio.Event().wait()
        finally:
            await bridge.close()
            for t in transports:
                t.close()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
