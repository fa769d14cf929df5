// EvaluationEngine: chunk queue, evaluation threads, watchdog and cancellation.
#include "driver/evaluation_engine.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <system_error>

#include "driver/task_evaluator.hpp"

namespace tmex::driver {

namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

template <class T>
void append(std::vector<T>& dst, const std::vector<T>& src) {
  dst.insert(dst.end(), src.begin(), src.end());
}

struct Chunk {
  std::vector<std::uint64_t> tasks;
  std::size_t next = 0;  ///< next task to start
  std::size_t done = 0;  ///< tasks finished (rows in batch)
  ResultBatch batch;
};

struct Slot {
  std::uint64_t generation = 0;  ///< bumped when the slot's thread is abandoned
  std::int64_t started_ns = 0;   ///< start of the running evaluation; 0: idle
  std::uint64_t task = 0;
  Chunk* chunk = nullptr;
};

}  // namespace

struct EvaluationEngine::State {
  std::mutex mutex;
  std::condition_variable work_cv;  ///< threads wait for tasks
  std::condition_variable done_cv;  ///< the owner waits for completed chunks
  std::deque<std::unique_ptr<Chunk>> queue;
  std::vector<ResultBatch> completed;
  std::vector<Slot> slots;
  bool shutting_down = false;
  int abandoned_running = 0;
  std::size_t threads_ready = 0;  ///< threads that set up (or failed to), for the constructor
  std::string startup_error;      ///< why a thread could not set up (out of memory)

  // Adds a finished row to its chunk; a full chunk moves to `completed`.
  void finish_row(Chunk& chunk, const ResultBatch& row) {
    append_rows(chunk.batch, row);
    for (double e : row.elapsed_s) chunk.batch.busy_s += e;
    if (++chunk.done < chunk.tasks.size()) return;
    for (auto it = queue.begin(); it != queue.end(); ++it) {
      if (it->get() == &chunk) {
        completed.push_back(std::move(chunk.batch));
        queue.erase(it);
        break;
      }
    }
    done_cv.notify_all();
  }
};

void append_rows(ResultBatch& dst, const ResultBatch& src) {
  const auto offset = static_cast<std::uint32_t>(dst.tasks.size());
  append(dst.tasks, src.tasks);
  append(dst.blocks, src.blocks);
  append(dst.status, src.status);
  append(dst.attempts, src.attempts);
  append(dst.parameters, src.parameters);
  append(dst.outputs, src.outputs);
  append(dst.trajectories, src.trajectories);
  append(dst.elapsed_s, src.elapsed_s);
  for (std::size_t e = 0; e < src.error_rows.size(); ++e) {
    dst.error_rows.push_back(offset + src.error_rows[e]);
    dst.error_texts.push_back(src.error_texts[e]);
  }
}

EvaluationEngine::EvaluationEngine(std::shared_ptr<const CampaignContext> context, int rank,
                                   int threads, double watchdog_s)
    : context_(std::move(context)),
      rank_(rank),
      watchdog_s_(watchdog_s),
      state_(std::make_shared<State>()) {
  const auto n = static_cast<std::size_t>(std::max(1, threads));
  std::unique_lock lock(state_->mutex);
  state_->slots.resize(n);
  threads_.resize(n);
  std::string failure;
  try {
    for (std::size_t s = 0; s < n; ++s) start_thread(s);
    // Every thread sets up its evaluator before the engine counts as started.
    state_->done_cv.wait(lock, [&] { return state_->threads_ready >= n; });
    if (state_->startup_error.empty()) return;
    failure = state_->startup_error;
  } catch (const std::exception& e) {
    // Out of threads or memory (a process or address-space limit: std::system_error, or
    // std::bad_alloc from the thread's own state).
    failure = e.what();
  }
  // Stop those that started, then report.
  state_->shutting_down = true;
  lock.unlock();
  state_->work_cv.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  throw std::runtime_error("cannot start " + std::to_string(n) +
                           " evaluation threads (execution.per_rank) on rank " +
                           std::to_string(rank) + ": " + failure +
                           "; lower execution.per_rank or raise the limit on threads/memory");
}

EvaluationEngine::~EvaluationEngine() {
  cancel();
  {
    std::lock_guard lock(state_->mutex);
    state_->shutting_down = true;
  }
  state_->work_cv.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void EvaluationEngine::start_thread(std::size_t s) {
  Slot& slot = state_->slots[s];
  slot.started_ns = 0;
  slot.chunk = nullptr;
  threads_[s] =
      std::thread(&EvaluationEngine::thread_main, state_, context_, rank_, s, slot.generation);
}

void EvaluationEngine::submit(WorkChunk work) {
  auto chunk = std::make_unique<Chunk>();
  for (std::size_t i = 0; i + 1 < work.ranges.size(); i += 2) {
    for (auto t = work.ranges[i]; t < work.ranges[i + 1]; ++t) chunk->tasks.push_back(t);
  }
  chunk->batch.chunk_id = work.id;
  chunk->batch.rank = rank_;
  std::lock_guard lock(state_->mutex);
  if (chunk->tasks.empty()) {
    state_->completed.push_back(std::move(chunk->batch));
    state_->done_cv.notify_all();
    return;
  }
  state_->queue.push_back(std::move(chunk));
  state_->work_cv.notify_all();
}

void EvaluationEngine::thread_main(std::shared_ptr<State> state,
                                   std::shared_ptr<const CampaignContext> context, int rank,
                                   std::size_t s, std::uint64_t generation) {
  std::optional<TaskEvaluator> made;
  try {
    made.emplace(context->config, context->setup, rank);
  } catch (const std::exception& e) {
    // Out of memory as the thread starts: said to the constructor, not a terminate().
    std::lock_guard lock(state->mutex);
    state->startup_error = e.what();
    ++state->threads_ready;
    state->done_cv.notify_all();
    return;
  }
  {
    std::lock_guard lock(state->mutex);
    ++state->threads_ready;
    state->done_cv.notify_all();
  }
  TaskEvaluator& evaluator = *made;
  ResultBatch row;
  while (true) {
    Chunk* chunk = nullptr;
    std::uint64_t task = 0;
    {
      std::unique_lock lock(state->mutex);
      auto find_work = [&]() -> Chunk* {
        for (auto& c : state->queue) {
          if (c->next < c->tasks.size()) return c.get();
        }
        return nullptr;
      };
      state->work_cv.wait(lock, [&] {
        return state->shutting_down || state->slots[s].generation != generation ||
               find_work() != nullptr;
      });
      if (state->shutting_down || state->slots[s].generation != generation) return;
      chunk = find_work();
      task = chunk->tasks[chunk->next++];
      Slot& slot = state->slots[s];
      slot.chunk = chunk;
      slot.task = task;
      slot.started_ns = now_ns();
    }
    row.clear();  // one evaluation per row; keeps the columns' memory across tasks
    evaluator.evaluate(task, row);
    std::lock_guard lock(state->mutex);
    if (state->slots[s].generation != generation) {
      // The watchdog or cancel() gave up on this evaluation and replaced this thread.
      --state->abandoned_running;
      return;
    }
    state->slots[s].started_ns = 0;
    state->slots[s].chunk = nullptr;
    state->finish_row(*chunk, row);
  }
}

void EvaluationEngine::check_watchdog() {
  if (watchdog_s_ <= 0.0) return;
  std::lock_guard lock(state_->mutex);
  const std::int64_t now = now_ns();
  for (std::size_t s = 0; s < state_->slots.size(); ++s) {
    Slot& slot = state_->slots[s];
    if (slot.started_ns == 0) continue;
    const double running = 1e-9 * static_cast<double>(now - slot.started_ns);
    if (running <= watchdog_s_) continue;
    ResultBatch row;
    TaskEvaluator recorder(context_->config, context_->setup, rank_);
    recorder.record_failure(slot.task, models::EvalStatus::kTimeout,
                            "watchdog: still running after " + std::to_string(running) +
                                " s, past the evaluation time-out; abandoned",
                            running, row);
    Chunk* chunk = slot.chunk;
    ++slot.generation;
    ++state_->abandoned_running;
    threads_[s].detach();
    start_thread(s);
    state_->finish_row(*chunk, row);
  }
}

ResultBatch EvaluationEngine::cancel() {
  ResultBatch partial;
  partial.rank = rank_;
  {
    std::lock_guard lock(state_->mutex);
    for (auto& c : state_->queue) append_rows(partial, c->batch);
    state_->queue.clear();
    for (auto& b : state_->completed) append_rows(partial, b);
    state_->completed.clear();
    for (std::size_t s = 0; s < state_->slots.size(); ++s) {
      Slot& slot = state_->slots[s];
      if (slot.started_ns == 0) continue;
      // Its chunk is gone: the running evaluation is dropped and redone on resume.
      ++slot.generation;
      ++state_->abandoned_running;
      threads_[s].detach();
      start_thread(s);
    }
  }
  state_->work_cv.notify_all();
  return partial;
}

std::vector<ResultBatch> EvaluationEngine::take_completed() {
  std::lock_guard lock(state_->mutex);
  std::vector<ResultBatch> out;
  out.swap(state_->completed);
  return out;
}

void EvaluationEngine::wait(double max_wait_s) {
  std::unique_lock lock(state_->mutex);
  state_->done_cv.wait_for(lock, std::chrono::duration<double>(max_wait_s),
                           [&] { return !state_->completed.empty(); });
}

std::size_t EvaluationEngine::chunks_in_flight() const {
  std::lock_guard lock(state_->mutex);
  return state_->queue.size() + state_->completed.size();
}

int EvaluationEngine::abandoned_threads() const {
  std::lock_guard lock(state_->mutex);
  return state_->abandoned_running;
}

}  // namespace tmex::driver
