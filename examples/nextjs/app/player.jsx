"use client";
// Client component: the module is also evaluated during server rendering, so nothing here may touch
// `window` at import time — hls.js and nearcast both import cleanly in Node. The player starts in
// useEffect, in the browser only, and is destroyed with the component.
import Hls from "hls.js";
import { Nearcast } from "nearcast";
import { useEffect, useRef, useState } from "react";

export function Player() {
  const videoRef = useRef(null);
  const [stats, setStats] = useState("starting…");

  useEffect(() => {
    // ?server=http://host:port points the page at a running nearcast-server.
    const server = new URLSearchParams(location.search).get("server") ?? "http://localhost:8080";
    const nearcast = new Nearcast({
      trackerUrls: [`${server.replace(/^http/, "ws")}/tracker`],
      statsUrl: `${server}/api/stats/report`,
    });
    const src = `${server}/streams/demo/live/master.m3u8`;
    // hls.js whenever it can run (MediaSource, or ManagedMediaSource on iOS 17.1+); the browser's own
    // HLS player only where it cannot, and then without P2P. Never ask canPlayType first: Chrome 147+
    // and Safari answer "maybe", and the page would skip hls.js — and every byte from peers — silently.
    const hls = Hls.isSupported() ? new Hls({ ...nearcast.hlsConfig() }) : null;
    if (hls) {
      nearcast.attach(hls);
      hls.loadSource(src);
      hls.attachMedia(videoRef.current);
    } else {
      videoRef.current.src = src;
    }
    const timer = setInterval(() => {
      const { httpDownloadedBytes, p2pDownloadedBytes, connectedPeers } = nearcast.getStats();
      setStats(JSON.stringify({ httpDownloadedBytes, p2pDownloadedBytes, connectedPeers }));
    }, 1000);
    return () => {
      clearInterval(timer);
      hls?.destroy();
      nearcast.destroy();
    };
  }, []);

  return (
    <>
      <video ref={videoRef} controls muted autoPlay playsInline width={640} />
      <pre id="nearcast-stats">{stats}</pre>
    </>
  );
}
