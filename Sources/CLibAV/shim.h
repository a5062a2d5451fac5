// The one C header StreamVault imports: the FFmpeg libraries plus names for the
// function-like macros and variadic calls that Swift cannot import.
#ifndef STREAMVAULT_CLIBAV_SHIM_H
#define STREAMVAULT_CLIBAV_SHIM_H

#include <errno.h>
#include <stdio.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/display.h>
#include <libavutil/dovi_meta.h>
#include <libavutil/imgutils.h>
#include <libavutil/mastering_display_metadata.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libavutil/sha.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

static inline int sv_averror(int e) { return AVERROR(e); }
static const int SV_AVERROR_EOF = AVERROR_EOF;
static const int SV_AVERROR_EAGAIN = AVERROR(EAGAIN);
static const int SV_AVERROR_INVALIDDATA = AVERROR_INVALIDDATA;
static const int SV_AVERROR_ENOMEM = AVERROR(ENOMEM);
static const int SV_AVERROR_INPUT_CHANGED = AVERROR_INPUT_CHANGED;
static const int64_t SV_AV_NOPTS_VALUE = AV_NOPTS_VALUE;
static const int SV_AV_TIME_BASE = AV_TIME_BASE;

static inline AVRational sv_time_base_q(void) { return (AVRational){1, AV_TIME_BASE}; }

static inline void sv_err2str(int code, char *buffer, size_t size) {
    av_strerror(code, buffer, size);
}

/// Logs one preformatted line; never passes caller text as a format string.
static inline void sv_log(void *context, int level, const char *text) {
    av_log(context, level, "%s", text);
}

/// FFmpeg's log lines go to one C function pointer set from Swift (capture-free).
typedef void (*sv_log_handler)(int level, const char *line);
static sv_log_handler sv_current_log_handler = NULL;

static inline void sv_log_trampoline(void *avcl, int level, const char *fmt, va_list vl) {
    if (level > av_log_get_level() || sv_current_log_handler == NULL) return;
    char line[1024];
    int print_prefix = 1;
    av_log_format_line(avcl, level, fmt, vl, line, sizeof line, &print_prefix);
    sv_current_log_handler(level, line);
}

static inline void sv_set_log_handler(sv_log_handler handler) {
    sv_current_log_handler = handler;
    av_log_set_callback(handler ? sv_log_trampoline : av_log_default_callback);
}

/// Rotation in degrees from a stream's display matrix (0 when there is none).
static inline double sv_stream_rotation(const AVStream *stream) {
    const uint8_t *matrix = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    if (!matrix) return 0;
    double degrees = av_display_rotation_get((const int32_t *)matrix);
    return isnan(degrees) ? 0 : degrees;
}

static inline int sv_frame_is_key(const AVFrame *frame) { return frame->key_frame; }
static inline int sv_packet_is_key(const AVPacket *packet) { return (packet->flags & AV_PKT_FLAG_KEY) != 0; }
static inline void sv_packet_set_key(AVPacket *packet) { packet->flags |= AV_PKT_FLAG_KEY; }

static const int SV_CODEC_FLAG_GLOBAL_HEADER = AV_CODEC_FLAG_GLOBAL_HEADER;
static const int SV_AV_CODEC_CAP_SMALL_LAST_FRAME = AV_CODEC_CAP_SMALL_LAST_FRAME;
static const int SV_AVFMT_GLOBALHEADER = AVFMT_GLOBALHEADER;
static const int SV_AVFMT_NOFILE = AVFMT_NOFILE;
static const int SV_AVSEEK_FLAG_BACKWARD = AVSEEK_FLAG_BACKWARD;
static const int SV_AVIO_FLAG_WRITE = AVIO_FLAG_WRITE;
static const int SV_AV_OPT_SEARCH_CHILDREN = AV_OPT_SEARCH_CHILDREN;
static const int SV_AV_DISPOSITION_DEFAULT = AV_DISPOSITION_DEFAULT;
static const int SV_AV_DISPOSITION_FORCED = AV_DISPOSITION_FORCED;
static const int SV_AV_DISPOSITION_HEARING_IMPAIRED = AV_DISPOSITION_HEARING_IMPAIRED;
static const int SV_AV_DISPOSITION_ATTACHED_PIC = AV_DISPOSITION_ATTACHED_PIC;
static const int SV_SWS_BICUBIC = SWS_BICUBIC;
static const int SV_SWS_FAST_BILINEAR = SWS_FAST_BILINEAR;
static const int SV_SWS_ACCURATE_RND = SWS_ACCURATE_RND;
static const int SV_FF_PROFILE_UNKNOWN = FF_PROFILE_UNKNOWN;
static const int SV_FF_LEVEL_UNKNOWN = FF_LEVEL_UNKNOWN;
static const int SV_FF_COMPLIANCE_UNOFFICIAL = FF_COMPLIANCE_UNOFFICIAL;

static inline AVChannelLayout sv_stereo_layout(void) {
    AVChannelLayout layout = AV_CHANNEL_LAYOUT_STEREO;
    return layout;
}

#endif
