#!/usr/bin/env bash
# Generates the demo HLS streams committed under demo-server/media/ (see its README.md).
#
#   bash scripts/make-media.sh            # or: npm run media
#
# Output (deterministic for a given ffmpeg/x264 build):
#   demo-server/media/demo/       MPEG-TS ladder 240p / 360p / 540p, 2 s segments, 60 s
#   demo-server/media/demo-fmp4/  the same content as fMP4/CMAF, 360p only
#
# Keyframes are aligned across renditions (fixed GOP of 60 frames at 30 fps, no scene-cut keyframes),
# so a player can switch rendition at any segment boundary and every segment starts with an IDR frame.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MEDIA_ROOT="${REPO_ROOT}/demo-server/media"
DURATION_S=60
FPS=30
SEGMENT_S=2
GOP=$((FPS * SEGMENT_S))

die() {
  echo "make-media: error: $*" >&2
  exit 1
}

command -v ffmpeg >/dev/null 2>&1 || die "ffmpeg not found; install it with: apt-get install -y ffmpeg"

find_font() {
  local candidate
  for candidate in \
    /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf \
    /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf; do
    if [[ -f "${candidate}" ]]; then
      echo "${candidate}"
      return 0
    fi
  done
  if command -v fc-match >/dev/null 2>&1; then
    candidate="$(fc-match -f '%{file}' 'DejaVu Sans:bold' 2>/dev/null || true)"
    if [[ -n "${candidate}" && -f "${candidate}" ]]; then
      echo "${candidate}"
      return 0
    fi
  fi
  return 1
}
FONT="$(find_font)" || die "no TrueType font found; install one with: apt-get install -y fonts-dejavu-core"

# Sources: a moving test pattern with the running time and frame number burnt in, large enough to read
# on the 240p rendition, and a 440 Hz tone that beeps (880 Hz) once a second.
VIDEO_SRC="testsrc2=size=960x540:rate=${FPS}:duration=${DURATION_S}"
AUDIO_SRC="sine=frequency=440:beep_factor=2:sample_rate=48000:duration=${DURATION_S}"
CLOCK_TEXT="drawtext=fontfile=${FONT}:text='%{pts\\:hms}  frame %{n}':fontsize=56:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=12:x=(w-text_w)/2:y=h-text_h-40"

# label <name>: the rendition name in the top-left corner, drawn after scaling so ABR switches show.
label() {
  echo "drawtext=fontfile=${FONT}:text='$1':fontsize=h/12:fontcolor=yellow:box=1:boxcolor=black@0.6:boxborderw=6:x=12:y=12"
}

# Common encoder settings. -threads 1 and +bitexact keep re-runs byte-identical; the fixed GOP and
# -sc_threshold 0 keep keyframes on segment boundaries in every rendition. -bf 0: with B-frames the
# first video PTS trails audio by two frames in MPEG-TS, so playback from 0 starts in a buffer hole
# (hls.js then reports bufferSeekOverHole).
X264=(-c:v libx264 -preset medium -profile:v main -pix_fmt yuv420p -threads 1 -bf 0
  -g "${GOP}" -keyint_min "${GOP}" -sc_threshold 0 -x264-params "open-gop=0")
AAC=(-c:a aac -b:a 64k -ac 2 -ar 48000)
BITEXACT=(-fflags +bitexact -flags:v +bitexact -flags:a +bitexact -map_metadata -1)
HLS=(-f hls -hls_time "${SEGMENT_S}" -hls_playlist_type vod -hls_flags independent_segments)

# rendition table: name width height video-kbps level
RENDITIONS=(
  "240p 426 240 200 3.0"
  "360p 640 360 400 3.0"
  "540p 960 540 720 3.1"
)

# write_master <dir> <ffmpeg-master> <rendition names...>
# Rewrites ffmpeg's master playlist with measured BANDWIDTH (peak segment bitrate) and AVERAGE-BANDWIDTH
# (whole-stream average), keeping the CODECS ffmpeg derived from the actual SPS/AudioSpecificConfig.
write_master() {
  local dir="$1" ffmpeg_master="$2"
  shift 2
  local out="${dir}/master.m3u8"
  {
    echo "#EXTM3U"
    echo "#EXT-X-VERSION:6"
    echo "#EXT-X-INDEPENDENT-SEGMENTS"
  } >"${out}.tmp"
  local name
  for name in "$@"; do
    local playlist="${dir}/${name}/index.m3u8"
    local codecs resolution peak avg
    codecs="$(grep -A1 '^#EXT-X-STREAM-INF' "${ffmpeg_master}" | grep -B1 "^${name}/index.m3u8" |
      sed -n 's/.*CODECS="\([^"]*\)".*/\1/p')"
    resolution="$(grep -A1 '^#EXT-X-STREAM-INF' "${ffmpeg_master}" | grep -B1 "^${name}/index.m3u8" |
      sed -n 's/.*RESOLUTION=\([0-9x]*\).*/\1/p')"
    [[ -n "${codecs}" && -n "${resolution}" ]] || die "could not read CODECS/RESOLUTION of ${name} from ${ffmpeg_master}"
    # Pair each #EXTINF duration with the size of the file it describes (plus the init segment, if any).
    read -r peak avg < <(
      cd "${dir}/${name}" &&
        awk '/^#EXTINF:/ { sub(/^#EXTINF:/, ""); sub(/,.*/, ""); d = $0; next }
             /^[^#]/ && d != "" { cmd = "stat -c %s \"" $0 "\""; cmd | getline s; close(cmd);
                                  bits = s * 8; total_bits += bits; total_d += d;
                                  if (bits / d > peak) peak = bits / d; d = "" }
             END { printf "%d %d\n", peak, total_bits / total_d }' index.m3u8
    )
    echo "#EXT-X-STREAM-INF:BANDWIDTH=${peak},AVERAGE-BANDWIDTH=${avg},RESOLUTION=${resolution},FRAME-RATE=${FPS}.000,CODECS=\"${codecs}\"" >>"${out}.tmp"
    echo "${name}/index.m3u8" >>"${out}.tmp"
  done
  mv "${out}.tmp" "${out}"
  rm -f "${ffmpeg_master}"
}

# encode <out-dir> <segment-ext> <extra hls args...> -- <rendition names...>
encode() {
  local out_dir="$1" ext="$2"
  shift 2
  local extra=()
  while [[ "$1" != "--" ]]; do
    extra+=("$1")
    shift
  done
  shift
  local names=("$@")
  local n=${#names[@]}

  local filter="[0:v]${CLOCK_TEXT},split=${n}"
  local i
  for ((i = 0; i < n; i++)); do filter+="[s${i}]"; done
  filter+=";[1:a]asplit=${n}"
  for ((i = 0; i < n; i++)); do filter+="[a${i}]"; done
  local maps=() per_stream=() var_map=""
  for ((i = 0; i < n; i++)); do
    local row name width height kbps level
    for row in "${RENDITIONS[@]}"; do
      read -r name width height kbps level <<<"${row}"
      [[ "${name}" == "${names[i]}" ]] && break
    done
    [[ "${name}" == "${names[i]}" ]] || die "unknown rendition ${names[i]}"
    filter+=";[s${i}]scale=${width}:${height},$(label "${name}")[v${i}]"
    maps+=(-map "[v${i}]" -map "[a${i}]")
    per_stream+=(-b:v:${i} "${kbps}k" -maxrate:v:${i} "$((kbps * 3 / 2))k" -bufsize:v:${i} "$((kbps * 2))k"
      -level:v:${i} "${level}")
    var_map+="v:${i},a:${i},name:${name} "
  done

  rm -rf "${out_dir}"
  mkdir -p "${out_dir}"
  echo "make-media: encoding ${out_dir#"${REPO_ROOT}/"} (${names[*]})"
  ffmpeg -hide_banner -loglevel error -y \
    -f lavfi -i "${VIDEO_SRC}" -f lavfi -i "${AUDIO_SRC}" \
    -filter_complex "${filter}" "${maps[@]}" \
    "${X264[@]}" "${per_stream[@]}" "${AAC[@]}" "${BITEXACT[@]}" \
    "${HLS[@]}" "${extra[@]}" \
    -var_stream_map "${var_map% }" -master_pl_name ffmpeg-master.m3u8 \
    -hls_segment_filename "${out_dir}/%v/seg-%05d.${ext}" "${out_dir}/%v/index.m3u8"
  write_master "${out_dir}" "${out_dir}/ffmpeg-master.m3u8" "${names[@]}"
}

encode "${MEDIA_ROOT}/demo" ts -- 240p 360p 540p
encode "${MEDIA_ROOT}/demo-fmp4" m4s -hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4 -- 360p

for dir in "${MEDIA_ROOT}"/demo/*/ "${MEDIA_ROOT}"/demo-fmp4/*/; do
  count="$(find "${dir}" -name 'seg-*' | wc -l)"
  echo "make-media: ${dir#"${REPO_ROOT}/"} ${count} segments, $(du -sh "${dir}" | cut -f1)"
done
echo "make-media: total size of demo-server/media: $(du -sh "${MEDIA_ROOT}" | cut -f1)" \
  "($(du -sb "${MEDIA_ROOT}" | cut -f1) bytes)"
