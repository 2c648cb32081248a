// src/net/worker_pool.cpp
#include "net/worker_pool.hpp"

#include <algorithm>

namespace h2push::net {

WorkerPool::WorkerPool(std::size_t workers) {
  workers = std::max<std::size_t>(workers, 1);
  for (std::size_t i = 0; i < workers; ++i) {
    contexts_.push_back(std::make_unique<asio::io_context>(1));  // one thread per context: no locking inside
    guards_.push_back(asio::make_work_guard(*contexts_.back()));
  }
}

WorkerPool::~WorkerPool() {
  stop();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void WorkerPool::start() {
  for (auto& context : contexts_) {
    threads_.emplace_back([ctx = context.get()] { ctx->run(); });
  }
}

void WorkerPool::join() {
  guards_.clear();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void WorkerPool::stop() noexcept {
  for (auto& context : contexts_) context->stop();
}

}  // namespace h2push::net
