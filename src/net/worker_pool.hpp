// src/net/worker_pool.hpp: one asio::io_context per worker thread; a connection lives on one thread for life.
// Sockets of a worker's context must be used only from that worker's thread (its reactor does no per-socket
// locking); other threads reach a worker through asio::post().
#pragma once

#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

namespace h2push::net {

class WorkerPool {
 public:
  // `workers` event loops (at least 1). They run once start() is called.
  explicit WorkerPool(std::size_t workers);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  std::size_t size() const noexcept { return contexts_.size(); }
  asio::io_context& context(std::size_t i) noexcept { return *contexts_[i]; }

  // Runs every loop on its own thread.
  void start();
  // Lets the loops finish their work and joins them (the work guards are released).
  void join();
  // Stops every loop at once.
  void stop() noexcept;

 private:
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
};

}  // namespace h2push::net
