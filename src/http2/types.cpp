// src/http2/types.cpp: names for the HTTP/2 vocabulary of include/h2push/http2/types.hpp.
#include "h2push/http2/types.hpp"

namespace h2push::http2 {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::no_error:
      return "NO_ERROR";
    case ErrorCode::protocol_error:
      return "PROTOCOL_ERROR";
    case ErrorCode::internal_error:
      return "INTERNAL_ERROR";
    case ErrorCode::flow_control_error:
      return "FLOW_CONTROL_ERROR";
    case ErrorCode::settings_timeout:
      return "SETTINGS_TIMEOUT";
    case ErrorCode::stream_closed:
      return "STREAM_CLOSED";
    case ErrorCode::frame_size_error:
      return "FRAME_SIZE_ERROR";
    case ErrorCode::refused_stream:
      return "REFUSED_STREAM";
    case ErrorCode::cancel:
      return "CANCEL";
    case ErrorCode::compression_error:
      return "COMPRESSION_ERROR";
    case ErrorCode::connect_error:
      return "CONNECT_ERROR";
    case ErrorCode::enhance_your_calm:
      return "ENHANCE_YOUR_CALM";
    case ErrorCode::inadequate_security:
      return "INADEQUATE_SECURITY";
    case ErrorCode::http_1_1_required:
      return "HTTP_1_1_REQUIRED";
  }
  return "UNKNOWN_ERROR_CODE";  // §7: unknown codes are legal and kept
}

std::string_view to_string(FrameType type) noexcept {
  switch (type) {
    case FrameType::data:
      return "DATA";
    case FrameType::headers:
      return "HEADERS";
    case FrameType::priority:
      return "PRIORITY";
    case FrameType::rst_stream:
      return "RST_STREAM";
    case FrameType::settings:
      return "SETTINGS";
    case FrameType::push_promise:
      return "PUSH_PROMISE";
    case FrameType::ping:
      return "PING";
    case FrameType::goaway:
      return "GOAWAY";
    case FrameType::window_update:
      return "WINDOW_UPDATE";
    case FrameType::continuation:
      return "CONTINUATION";
    case FrameType::priority_update:
      return "PRIORITY_UPDATE";
  }
  return "UNKNOWN";
}

std::string_view to_string(SettingId id) noexcept {
  switch (id) {
    case SettingId::header_table_size:
      return "SETTINGS_HEADER_TABLE_SIZE";
    case SettingId::enable_push:
      return "SETTINGS_ENABLE_PUSH";
    case SettingId::max_concurrent_streams:
      return "SETTINGS_MAX_CONCURRENT_STREAMS";
    case SettingId::initial_window_size:
      return "SETTINGS_INITIAL_WINDOW_SIZE";
    case SettingId::max_frame_size:
      return "SETTINGS_MAX_FRAME_SIZE";
    case SettingId::max_header_list_size:
      return "SETTINGS_MAX_HEADER_LIST_SIZE";
    case SettingId::enable_connect_protocol:
      return "SETTINGS_ENABLE_CONNECT_PROTOCOL";
    case SettingId::no_rfc7540_priorities:
      return "SETTINGS_NO_RFC7540_PRIORITIES";
  }
  return "UNKNOWN_SETTING";
}

}  // namespace h2push::http2
