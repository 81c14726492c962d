#!/usr/bin/env node
// Generates the HLS coverage-matrix streams committed under test/media/ (see its README.md):
//
//   node scripts/make-test-media.mjs        # or: npm run media:test  (needs ffmpeg)
//
// Every shape is 20 s of testsrc2 + a sine tone at a low resolution and bitrate (a few hundred KB per
// rendition), 2-second segments with keyframes on segment boundaries, so the committed media stays
// small and a fresh machine needs no ffmpeg to run the tests. Encoding is single-threaded and
// bit-exact, so re-runs reproduce the same bytes for a given ffmpeg build.
//
// Shapes (RFC 8216 features each one exercises):
//   ts-ladder     2 MPEG-TS renditions (144p, 216p), muxed AAC            ABR switching
//   fmp4-ladder   the same as fMP4/CMAF, EXT-X-MAP per rendition
//   ts-single     one TS file, EXT-X-BYTERANGE (every other line without an offset: it continues)
//   fmp4-single   one fMP4 file, EXT-X-MAP with BYTERANGE, EXT-X-BYTERANGE segments
//   alt-audio     video-only fMP4 variants + two EXT-X-MEDIA TYPE=AUDIO renditions + a WebVTT track
//   alt-audio-unaligned  alt-audio's video (not copied) + an audio rendition cut every 1.6 s: audio
//                 segment boundaries that do not line up with the video's 2-second ones
//   ts-single-offset  ts-single's file (not copied) from its 3rd segment on: byte ranges that do not
//                 start at 0, a first segment whose timestamps start at 4 s
//   aes           TS, AES-128 (EXT-X-KEY) rotating every 3 segments, alternately with and without IV
//   disco         fMP4 whose second half is another encode (new EXT-X-MAP after EXT-X-DISCONTINUITY)
//   fmp4-b        fmp4-ladder's 144p names with other content (identity tests: same names, other bytes)
//   ll            fMP4 with a moof+mdat every 0.4 s, 5 per 2-second segment: LL-HLS parts (test origin)
//   dash          MPEG-DASH (static MPD, SegmentTemplate): a 144p video and an audio adaptation set
//   interstitials ts-ladder's segments (not copied) with an HLS interstitial at 6 s: EXT-X-DATERANGE
//                 CLASS="com.apple.hls.interstitial" whose X-ASSET-URI is a 6-second ad of its own
import { spawnSync } from "node:child_process";
import { createCipheriv, createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT = path.join(ROOT, "test/media");
const DURATION_S = 20;
const FPS = 25;
const SEGMENT_S = 2;
const GOP = FPS * SEGMENT_S;
const VIDEO_CODEC = "avc1.4d401e"; // H.264 Main, level 3.0
const AUDIO_CODEC = "mp4a.40.2"; // AAC-LC

const RENDITIONS = [
  { name: "144p", width: 256, height: 144, kbps: 100 },
  { name: "216p", width: 384, height: 216, kbps: 200 },
];

const X264 = [
  ...["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-level:v", "3.0"],
  ...["-pix_fmt", "yuv420p", "-threads", "1", "-bf", "0", "-g", `${GOP}`, "-keyint_min", `${GOP}`],
  ...["-sc_threshold", "0", "-x264-params", "open-gop=0"],
];
const AAC = ["-c:a", "aac", "-b:a", "32k", "-ac", "1", "-ar", "48000"];
const BITEXACT = [
  "-fflags",
  "+bitexact",
  "-flags:v",
  "+bitexact",
  "-flags:a",
  "+bitexact",
  "-map_metadata",
  "-1",
];
const HLS = ["-f", "hls", "-hls_time", `${SEGMENT_S}`, "-hls_playlist_type", "vod", "-hls_list_size", "0"];

function ffmpeg(args) {
  const result = spawnSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", ...args], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (result.error)
    throw new Error(`ffmpeg not runnable (apt-get install -y ffmpeg): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`ffmpeg exited with ${result.status}: ffmpeg ${args.join(" ")}`);
}

const video = (seconds = DURATION_S, pattern = "testsrc2") => [
  "-f",
  "lavfi",
  "-i",
  `${pattern}=size=640x360:rate=${FPS}:duration=${seconds}`,
];
const audio = (hz = 440, seconds = DURATION_S) => [
  ...["-f", "lavfi", "-i", `sine=frequency=${hz}:beep_factor=2:sample_rate=48000:duration=${seconds}`],
];
const scale = (r) => [
  "-vf",
  `scale=${r.width}:${r.height}`,
  "-b:v",
  `${r.kbps}k`,
  "-maxrate",
  `${r.kbps * 1.5}k`,
  "-bufsize",
  `${r.kbps * 2}k`,
];

function fresh(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** One rendition with muxed audio (or video-only / audio-only) into `dir/index.m3u8`. */
function encodeRendition(
  dir,
  { rendition, fmp4 = false, withVideo = true, withAudio = true, hz, seconds, pattern, extra = [] },
) {
  fresh(dir);
  const inputs = [...(withVideo ? video(seconds, pattern) : []), ...(withAudio ? audio(hz, seconds) : [])];
  const ext = fmp4 ? "m4s" : "ts";
  ffmpeg([
    ...inputs,
    ...(withVideo ? [...X264, ...scale(rendition)] : ["-vn"]),
    ...(withAudio ? AAC : ["-an"]),
    ...BITEXACT,
    ...HLS,
    ...(fmp4 ? ["-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4"] : []),
    ...extra,
    "-hls_segment_filename",
    path.join(dir, `seg-%03d.${ext}`),
    path.join(dir, "index.m3u8"),
  ]);
}

function streamInf(r, codecs, extra = "") {
  const bandwidth = Math.round((r.kbps + 40) * 1000 * 1.2);
  return `#EXT-X-STREAM-INF:BANDWIDTH=${bandwidth},RESOLUTION=${r.width}x${r.height},CODECS="${codecs}"${extra}`;
}

function writeMaster(dir, lines) {
  writeFileSync(
    path.join(dir, "master.m3u8"),
    ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS", ...lines, ""].join("\n"),
  );
}

function ladder(name, fmp4) {
  const dir = fresh(path.join(OUT, name));
  for (const r of RENDITIONS) encodeRendition(path.join(dir, r.name), { rendition: r, fmp4 });
  writeMaster(
    dir,
    RENDITIONS.flatMap((r) => [streamInf(r, `${VIDEO_CODEC},${AUDIO_CODEC}`), `${r.name}/index.m3u8`]),
  );
}

/** Single-file byte-range stream; every other EXT-X-BYTERANGE loses its (redundant) offset. */
function singleFile(name, fmp4) {
  const dir = fresh(path.join(OUT, name));
  const r = RENDITIONS[0];
  const sub = path.join(dir, r.name);
  fresh(sub);
  ffmpeg([
    ...video(),
    ...audio(),
    ...X264,
    ...scale(r),
    ...AAC,
    ...BITEXACT,
    ...HLS,
    "-hls_flags",
    "single_file",
    ...(fmp4 ? ["-hls_segment_type", "fmp4"] : []),
    path.join(sub, "index.m3u8"),
  ]);
  const playlistPath = path.join(sub, "index.m3u8");
  let count = 0;
  let expectedOffset = 0;
  const lines = readFileSync(playlistPath, "utf8")
    .split("\n")
    .map((line) => {
      const match = /^#EXT-X-BYTERANGE:(\d+)@(\d+)$/.exec(line);
      if (!match) return line;
      const [length, offset] = [Number(match[1]), Number(match[2])];
      const continues = offset === expectedOffset && count > 0;
      expectedOffset = offset + length;
      return count++ % 2 === 1 && continues ? `#EXT-X-BYTERANGE:${length}` : line;
    });
  writeFileSync(playlistPath, lines.join("\n"));
  writeMaster(dir, [streamInf(r, `${VIDEO_CODEC},${AUDIO_CODEC}`), `${r.name}/index.m3u8`]);
}

function altAudio() {
  const dir = fresh(path.join(OUT, "alt-audio"));
  for (const r of RENDITIONS)
    encodeRendition(path.join(dir, r.name), { rendition: r, fmp4: true, withAudio: false });
  encodeRendition(path.join(dir, "audio-en"), { fmp4: true, withVideo: false, hz: 440 });
  encodeRendition(path.join(dir, "audio-de"), { fmp4: true, withVideo: false, hz: 660 });
  // One WebVTT cue per segment, in one playlist of 2-second .vtt files.
  const subs = fresh(path.join(dir, "subs-en"));
  const playlist = [
    "#EXTM3U",
    "#EXT-X-VERSION:3",
    `#EXT-X-TARGETDURATION:${SEGMENT_S}`,
    "#EXT-X-PLAYLIST-TYPE:VOD",
  ];
  for (let i = 0; i < DURATION_S / SEGMENT_S; i++) {
    const t = (s) => `00:00:${String(s).padStart(2, "0")}.000`;
    const file = `sub-${String(i).padStart(3, "0")}.vtt`;
    writeFileSync(path.join(subs, file), `WEBVTT\n\n${t(i * 2)} --> ${t(i * 2 + 2)}\nSegment ${i}\n`);
    playlist.push(`#EXTINF:${SEGMENT_S}.000,`, file);
  }
  playlist.push("#EXT-X-ENDLIST", "");
  writeFileSync(path.join(subs, "index.m3u8"), playlist.join("\n"));
  writeMaster(dir, [
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="1",URI="audio-en/index.m3u8"',
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Deutsch",LANGUAGE="de",DEFAULT=NO,AUTOSELECT=YES,CHANNELS="1",URI="audio-de/index.m3u8"',
    '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="subs-en/index.m3u8"',
    ...RENDITIONS.flatMap((r) => [
      streamInf(r, `${VIDEO_CODEC},${AUDIO_CODEC}`, ',AUDIO="aud",SUBTITLES="subs"'),
      `${r.name}/index.m3u8`,
    ]),
  ]);
}

/** A playlist of `source` with its URIs (lines and URI="…") made relative to `prefix`, for reuse. */
function reference(sourcePlaylist, prefix, keep = () => true) {
  const out = [];
  let pending = [];
  let index = 0;
  for (const line of readFileSync(sourcePlaylist, "utf8").split("\n")) {
    if (line.startsWith("#EXTINF") || line.startsWith("#EXT-X-BYTERANGE")) {
      pending.push(line);
      continue;
    }
    if (line !== "" && !line.startsWith("#")) {
      if (keep(index++)) out.push(...pending, `${prefix}${line}`);
      pending = [];
      continue;
    }
    out.push(line.replace(/URI="([^"]*)"/, (_m, uri) => `URI="${prefix}${uri}"`));
  }
  return out.join("\n");
}

/** alt-audio's video renditions with an audio rendition whose segments are 1.6 s long. */
function altAudioUnaligned() {
  const dir = fresh(path.join(OUT, "alt-audio-unaligned"));
  for (const r of RENDITIONS) {
    mkdirSync(path.join(dir, r.name));
    writeFileSync(
      path.join(dir, r.name, "index.m3u8"),
      reference(path.join(OUT, "alt-audio", r.name, "index.m3u8"), `../../alt-audio/${r.name}/`),
    );
  }
  // 1.6 s = 75 AAC frames at 48 kHz: every audio boundary but every fourth falls inside a video segment.
  encodeRendition(path.join(dir, "audio-en"), {
    fmp4: true,
    withVideo: false,
    hz: 440,
    extra: ["-hls_time", "1.6"],
  });
  writeMaster(dir, [
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="1",URI="audio-en/index.m3u8"',
    ...RENDITIONS.flatMap((r) => [
      streamInf(r, `${VIDEO_CODEC},${AUDIO_CODEC}`, ',AUDIO="aud"'),
      `${r.name}/index.m3u8`,
    ]),
  ]);
}

/** ts-single's one file from its 3rd segment on: the first byte range starts well past 0. */
function tsSingleOffset() {
  const dir = fresh(path.join(OUT, "ts-single-offset"));
  const r = RENDITIONS[0];
  mkdirSync(path.join(dir, r.name));
  const source = path.join(OUT, "ts-single", r.name, "index.m3u8");
  // A range without an offset continues the previous one: the first kept entry needs its offset.
  const lines = reference(source, `../../ts-single/${r.name}/`, (i) => i >= 2).split("\n");
  const first = lines.findIndex((line) => line.startsWith("#EXT-X-BYTERANGE"));
  if (!/@\d+$/.test(lines[first])) throw new Error("ts-single's 3rd range should carry its offset");
  writeFileSync(path.join(dir, r.name, "index.m3u8"), lines.join("\n"));
  writeMaster(dir, [streamInf(r, `${VIDEO_CODEC},${AUDIO_CODEC}`), `${r.name}/index.m3u8`]);
}

/**
 * AES-128 (RFC 8216 §5.2): whole-segment AES-CBC with PKCS7 padding. A new key every 3 segments;
 * even keys carry an explicit IV, odd ones use the media sequence number as the IV.
 */
function aes() {
  const dir = fresh(path.join(OUT, "aes"));
  const r = RENDITIONS[0];
  const sub = path.join(dir, r.name);
  encodeRendition(sub, { rendition: r });
  const playlistPath = path.join(sub, "index.m3u8");
  const out = [];
  let sequence = 0;
  for (const line of readFileSync(playlistPath, "utf8").split("\n")) {
    if (line.startsWith("#EXTINF")) {
      if (sequence % 3 === 0) {
        const keyIndex = sequence / 3;
        const key = createHash("sha256").update(`nearcast test key ${keyIndex}`).digest().subarray(0, 16);
        writeFileSync(path.join(sub, `key-${keyIndex}.bin`), key);
        const explicitIv = keyIndex % 2 === 0;
        const iv = explicitIv
          ? createHash("sha256").update(`nearcast test iv ${keyIndex}`).digest().subarray(0, 16)
          : undefined;
        out.push(
          `#EXT-X-KEY:METHOD=AES-128,URI="key-${keyIndex}.bin"${iv ? `,IV=0x${iv.toString("hex")}` : ""}`,
        );
        aes.keys.set(keyIndex, { key, iv });
      }
      out.push(line);
      continue;
    }
    if (/^seg-\d+\.ts$/.test(line)) {
      const { key, iv } = aes.keys.get(Math.floor(sequence / 3));
      const ivBytes = iv ?? Buffer.alloc(16);
      if (!iv) ivBytes.writeUInt32BE(sequence, 12);
      const clear = readFileSync(path.join(sub, line));
      const cipher = createCipheriv("aes-128-cbc", key, ivBytes);
      writeFileSync(path.join(sub, line), Buffer.concat([cipher.update(clear), cipher.final()]));
      sequence++;
    }
    out.push(line);
  }
  writeFileSync(playlistPath, out.join("\n"));
  writeMaster(dir, [streamInf(r, `${VIDEO_CODEC},${AUDIO_CODEC}`), `${r.name}/index.m3u8`]);
}
aes.keys = new Map();

/** Two encodes of different size back to back: a discontinuity with an init-segment change. */
function disco() {
  const dir = fresh(path.join(OUT, "disco"));
  const sub = fresh(path.join(dir, "main"));
  const halves = [
    { name: "a", rendition: RENDITIONS[0] },
    { name: "b", rendition: RENDITIONS[1] },
  ];
  const lines = [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    `#EXT-X-TARGETDURATION:${SEGMENT_S}`,
    "#EXT-X-PLAYLIST-TYPE:VOD",
    "#EXT-X-INDEPENDENT-SEGMENTS",
  ];
  for (const [i, half] of halves.entries()) {
    const tmp = path.join(dir, `tmp-${half.name}`);
    encodeRendition(tmp, { rendition: half.rendition, fmp4: true, seconds: DURATION_S / 2 });
    if (i > 0) lines.push("#EXT-X-DISCONTINUITY");
    for (const line of readFileSync(path.join(tmp, "index.m3u8"), "utf8").split("\n")) {
      if (line.startsWith("#EXT-X-MAP")) lines.push(`#EXT-X-MAP:URI="init-${half.name}.mp4"`);
      else if (line.startsWith("#EXTINF")) lines.push(line);
      else if (/^seg-\d+\.m4s$/.test(line)) lines.push(`${half.name}-${line}`);
    }
    for (const file of readdirSync(tmp)) {
      if (file === "index.m3u8") continue;
      const target = file === "init.mp4" ? `init-${half.name}.mp4` : `${half.name}-${file}`;
      writeFileSync(path.join(sub, target), readFileSync(path.join(tmp, file)));
    }
    rmSync(tmp, { recursive: true });
  }
  lines.push("#EXT-X-ENDLIST", "");
  writeFileSync(path.join(sub, "index.m3u8"), lines.join("\n"));
  writeMaster(dir, [streamInf(RENDITIONS[1], `${VIDEO_CODEC},${AUDIO_CODEC}`), "main/index.m3u8"]);
}

/**
 * Another video under the same names as fmp4-ladder's 144p rendition (init.mp4, seg-000.m4s, …):
 * the older `testsrc` pattern and a 660 Hz tone. The identity tests serve it as the second video
 * behind one path and as the content after a live encoder restart.
 */
function fmp4B() {
  const dir = fresh(path.join(OUT, "fmp4-b"));
  const r = RENDITIONS[0];
  encodeRendition(path.join(dir, r.name), { rendition: r, fmp4: true, hz: 660, pattern: "testsrc" });
  writeMaster(dir, [streamInf(r, `${VIDEO_CODEC},${AUDIO_CODEC}`), `${r.name}/index.m3u8`]);
}

/** Top-level ISO BMFF boxes of `bytes`: [type, offset, size]. */
function topBoxes(bytes) {
  const boxes = [];
  for (let offset = 0; offset + 8 <= bytes.length;) {
    const size = bytes.readUInt32BE(offset);
    if (size < 8) throw new Error(`box of size ${size} at ${offset}`);
    boxes.push([bytes.toString("latin1", offset + 4, offset + 8), offset, size]);
    offset += size;
  }
  return boxes;
}

/**
 * LL-HLS source: one fragmented MP4 with a moof+mdat every 10 frames (0.4 s; keyframes every 2 s),
 * cut into init.mp4 and 2-second segments of 5 such fragments each. The test origin serves every
 * fragment as an LL-HLS part (a URI of its own or a byte range of its segment); index.m3u8 is the
 * plain VOD view of the same files.
 */
function lowLatency() {
  const dir = fresh(path.join(OUT, "ll"));
  const r = RENDITIONS[0];
  const sub = fresh(path.join(dir, r.name));
  const whole = path.join(dir, "whole.mp4");
  ffmpeg([
    ...video(),
    ...audio(550),
    ...X264,
    ...scale(r),
    ...AAC,
    ...BITEXACT,
    ...["-f", "mp4", "-movflags", "+frag_keyframe+empty_moov+default_base_moof"],
    ...["-frag_duration", "400000", whole],
  ]);
  const bytes = readFileSync(whole);
  rmSync(whole);
  const boxes = topBoxes(bytes);
  const moov = boxes.findIndex(([type]) => type === "moov");
  writeFileSync(path.join(sub, "init.mp4"), bytes.subarray(0, boxes[moov][1] + boxes[moov][2]));
  const fragments = [];
  for (let i = moov + 1; i + 1 < boxes.length; i += 2) {
    if (boxes[i][0] !== "moof" || boxes[i + 1][0] !== "mdat")
      throw new Error(`expected moof+mdat at box ${i}`);
    fragments.push(bytes.subarray(boxes[i][1], boxes[i + 1][1] + boxes[i + 1][2]));
  }
  const partsPerSegment = SEGMENT_S / 0.4;
  const playlist = [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    `#EXT-X-TARGETDURATION:${SEGMENT_S}`,
    "#EXT-X-PLAYLIST-TYPE:VOD",
    '#EXT-X-MAP:URI="init.mp4"',
  ];
  // A last fragment shorter than a segment (the encode ends mid-GOP) is left out.
  for (let s = 0; (s + 1) * partsPerSegment <= fragments.length; s++) {
    const file = `seg-${String(s).padStart(3, "0")}.m4s`;
    writeFileSync(
      path.join(sub, file),
      Buffer.concat(fragments.slice(s * partsPerSegment, (s + 1) * partsPerSegment)),
    );
    playlist.push(`#EXTINF:${SEGMENT_S.toFixed(6)},`, file);
  }
  playlist.push("#EXT-X-ENDLIST", "");
  writeFileSync(path.join(sub, "index.m3u8"), playlist.join("\n"));
  writeMaster(dir, [streamInf(r, `${VIDEO_CODEC},${AUDIO_CODEC}`), `${r.name}/index.m3u8`]);
}

/**
 * ts-ladder's renditions, referenced by relative URI (no bytes copied), dated from a fixed
 * EXT-X-PROGRAM-DATE-TIME, with one interstitial (HLS 2nd edition, Appendix D) 6 s in: a 6-second ad
 * (`testsrc`, 660 Hz, one 144p rendition) inserted without replacing content (X-RESUME-OFFSET=0),
 * named by its path on the test origin (`/s/vod/…`).
 */
function interstitials() {
  const dir = fresh(path.join(OUT, "interstitials"));
  const ad = RENDITIONS[0];
  encodeRendition(path.join(dir, "ad", ad.name), { rendition: ad, seconds: 6, pattern: "testsrc", hz: 660 });
  writeMaster(path.join(dir, "ad"), [
    streamInf(ad, `${VIDEO_CODEC},${AUDIO_CODEC}`),
    `${ad.name}/index.m3u8`,
  ]);
  // An absolute path: hls.js 1.7 loads X-ASSET-URI relative to the page, not to the playlist.
  const daterange =
    '#EXT-X-DATERANGE:ID="ad-1",CLASS="com.apple.hls.interstitial",START-DATE="2026-01-01T00:00:06.000Z",' +
    'DURATION=6.0,X-ASSET-URI="/s/vod/interstitials/ad/master.m3u8",X-RESUME-OFFSET=0,X-RESTRICT="SKIP,JUMP"';
  for (const r of RENDITIONS) {
    const source = readFileSync(path.join(OUT, "ts-ladder", r.name, "index.m3u8"), "utf8").split("\n");
    const lines = [];
    for (const line of source) {
      if (line.startsWith("#EXTINF") && !lines.some((l) => l.startsWith("#EXT-X-PROGRAM-DATE-TIME")))
        lines.push("#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00.000Z", daterange);
      lines.push(line !== "" && !line.startsWith("#") ? `../../ts-ladder/${r.name}/${line}` : line);
    }
    mkdirSync(path.join(dir, r.name), { recursive: true });
    writeFileSync(path.join(dir, r.name, "index.m3u8"), lines.join("\n"));
  }
  writeMaster(
    dir,
    RENDITIONS.flatMap((r) => [streamInf(r, `${VIDEO_CODEC},${AUDIO_CODEC}`), `${r.name}/index.m3u8`]),
  );
}

/** MPEG-DASH for players beyond hls.js (Shaka): one video and one audio adaptation set, fMP4. */
function dash() {
  const dir = fresh(path.join(OUT, "dash"));
  const r = RENDITIONS[0];
  ffmpeg([
    ...video(),
    ...audio(),
    ...["-map", "0:v", "-map", "1:a"],
    ...X264,
    ...scale(r),
    ...AAC,
    ...BITEXACT,
    ...["-f", "dash", "-seg_duration", `${SEGMENT_S}`, "-use_template", "1", "-use_timeline", "0"],
    ...["-adaptation_sets", "id=0,streams=v id=1,streams=a"],
    ...[
      "-init_seg_name",
      "init-$RepresentationID$.m4s",
      "-media_seg_name",
      "seg-$RepresentationID$-$Number%03d$.m4s",
    ],
    path.join(dir, "manifest.mpd"),
  ]);
}

function size(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? size(p) : statSync(p).size;
  }
  return total;
}

const only = process.argv.slice(2);
const shapes = {
  "ts-ladder": () => ladder("ts-ladder", false),
  "fmp4-ladder": () => ladder("fmp4-ladder", true),
  "ts-single": () => singleFile("ts-single", false),
  "fmp4-single": () => singleFile("fmp4-single", true),
  "alt-audio": altAudio,
  "alt-audio-unaligned": altAudioUnaligned,
  "ts-single-offset": tsSingleOffset,
  aes,
  disco,
  "fmp4-b": fmp4B,
  ll: lowLatency,
  interstitials,
  dash,
};
for (const [name, make] of Object.entries(shapes)) {
  if (only.length > 0 && !only.includes(name)) continue;
  make();
  console.log(`make-test-media: ${name} ${(size(path.join(OUT, name)) / 1024).toFixed(0)} KiB`);
}
console.log(`make-test-media: test/media total ${(size(OUT) / 1024).toFixed(0)} KiB`);
