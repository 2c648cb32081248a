// src/net/worker_pool.cpp
#include "net/worker_pool.hpp"

#include <algorithm>

namespace h2push::net {

WorkerPool::WorkerPool(std::size_t workers) {
  workers = std::max<std::size_t>(workers, 1);
  for (std::size_t i = 0; i < workers; ++i) {
    // One thread per context. ASIO_CONCURRENCY_HINT_UNSAFE_IO: a socket's reactor state is locked by nobody, since
    // only its worker thread ever touches it (accepted and handled there; listeners are opened before the loops run
    // and closed through post()). The scheduler keeps its lock: other threads post (shutdown, listener close).
    contexts_.push_back(std::make_unique<asio::io_context>(ASIO_CONCURRENCY_HINT_UNSAFE_IO));
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
