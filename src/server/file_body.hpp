// src/server/file_body.hpp: what a static response carries as its body (nothing, a slice of a shared in-memory
// buffer, or a slice of a shared open file) and the BodySource that streams it to either protocol core.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <variant>

#include "h2push/body_source.hpp"
#include "server/recycled.hpp"

namespace h2push::server {

// An owned file descriptor, closed on destruction. Move-only; shared between responses as
// std::shared_ptr<const FileHandle> so that a file being streamed stays open while anything refers to it.
class FileHandle {
 public:
  FileHandle() noexcept = default;
  explicit FileHandle(int fd) noexcept : fd_(fd) {}
  ~FileHandle();
  FileHandle(FileHandle&& other) noexcept : fd_(other.release()) {}
  FileHandle& operator=(FileHandle&& other) noexcept;
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;

  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// `length` octets of a shared immutable buffer (a cached file, a compressed result, an error page), from `offset`.
struct MemorySlice {
  std::shared_ptr<const std::string> data{};
  std::size_t offset = 0;
  std::size_t length = 0;
};

// `length` octets of an open regular file from `offset`. Read with pread() as the transport takes it (the fd's own
// offset is never used, so one handle may serve many responses at once), or sent with sendfile() by the glue.
struct FileSlice {
  std::shared_ptr<const FileHandle> file{};
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

// std::monostate: no body (HEAD, 304, 204).
using ResponseBody = std::variant<std::monostate, MemorySlice, FileSlice>;

// The number of octets in `body` (0 for none).
std::uint64_t body_length(const ResponseBody& body) noexcept;

// Serves a MemorySlice: copies as much as fits into each read, or lends it (borrow(): the shared buffer itself is
// the owner, so the octets stay valid however long the core holds them, even once the cache has dropped the entry
// or the file has changed); keeps the buffer alive meanwhile.
class MemoryBodySource final : public BodySource, public Recycled<MemoryBodySource> {
 public:
  explicit MemoryBodySource(MemorySlice slice) noexcept : slice_(std::move(slice)) {}
  Read read(std::span<std::byte> out) override;
  bool borrow(std::size_t max, Loan& loan) override;

 private:
  MemorySlice slice_;
};

// Streams a FileSlice with one pread() per read() call, at most out.size() octets each: memory use is the caller's
// buffer whatever the file size. A read error, or the file ending early (it was truncated after the response
// headers were built), returns `failed`: the message must be aborted, since its Content-Length cannot be met.
class FileBodySource final : public BodySource {
 public:
  explicit FileBodySource(FileSlice slice) noexcept : slice_(std::move(slice)) {}
  Read read(std::span<std::byte> out) override;

 private:
  FileSlice slice_;
};

}  // namespace h2push::server
