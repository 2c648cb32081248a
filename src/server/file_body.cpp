// src/server/file_body.cpp: FileHandle and the two body sources.
#include "server/file_body.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

namespace h2push::server {

FileHandle::~FileHandle() {
  if (fd_ >= 0) ::close(fd_);
}

FileHandle& FileHandle::operator=(FileHandle&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

std::uint64_t body_length(const ResponseBody& body) noexcept {
  if (const auto* memory = std::get_if<MemorySlice>(&body)) return memory->length;
  if (const auto* file = std::get_if<FileSlice>(&body)) return file->length;
  return 0;
}

BodySource::Read MemoryBodySource::read(std::span<std::byte> out) {
  if (slice_.length == 0) return {.end = true};
  if (!slice_.data || slice_.offset + slice_.length > slice_.data->size()) return {.failed = true};
  const std::size_t n = std::min(out.size(), slice_.length);
  if (n > 0) std::memcpy(out.data(), slice_.data->data() + slice_.offset, n);
  slice_.offset += n;
  slice_.length -= n;
  return {.length = n, .end = slice_.length == 0};
}

bool MemoryBodySource::borrow(std::size_t max, Loan& loan) {
  if (slice_.length == 0) {
    loan.end = true;
    return true;
  }
  if (!slice_.data || slice_.offset + slice_.length > slice_.data->size()) {
    loan.failed = true;
    return true;
  }
  const std::size_t n = std::min(max, slice_.length);
  const auto* at = reinterpret_cast<const std::byte*>(slice_.data->data()) + slice_.offset;
  loan.bytes = {at, n};
  slice_.offset += n;
  slice_.length -= n;
  loan.end = slice_.length == 0;
  // The owner points at the octets and shares the slice's ownership; the last loan takes the slice's own reference.
  loan.owner =
      loan.end ? std::shared_ptr<const void>(std::move(slice_.data), at) : std::shared_ptr<const void>(slice_.data, at);
  return true;
}

BodySource::Read FileBodySource::read(std::span<std::byte> out) {
  if (slice_.length == 0) return {.end = true};
  if (!slice_.file || !slice_.file->valid()) return {.failed = true};
  if (out.empty()) return {};
  // pread() takes an off_t and may return at most SSIZE_MAX octets.
  constexpr auto kMaxOffset = static_cast<std::uint64_t>(std::numeric_limits<off_t>::max());
  if (slice_.offset > kMaxOffset) return {.failed = true};
  const std::size_t want = static_cast<std::size_t>(
      std::min<std::uint64_t>({out.size(), slice_.length, std::numeric_limits<ssize_t>::max()}));
  ssize_t got = 0;
  do {
    got = ::pread(slice_.file->get(), out.data(), want, static_cast<off_t>(slice_.offset));
  } while (got < 0 && errno == EINTR);
  if (got <= 0) return {.failed = true};  // error, or EOF before the promised length: the file shrank
  const auto n = static_cast<std::size_t>(got);
  slice_.offset += n;
  slice_.length -= n;
  return {.length = n, .end = slice_.length == 0};
}

}  // namespace h2push::server
