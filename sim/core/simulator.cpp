#include "core/simulator.h"

namespace postlab {

EventId Simulator::at(SimTime when, Action action) {
  const EventId id = next_seq_++;
  queue_.push(Key{when < now_ ? now_ : when, id});
  actions_.push_back(std::move(action));
  cancelled_.push_back(false);
  return id;
}

void Simulator::cancel(EventId id) {
  if (id < cancelled_.size()) {
    cancelled_[id] = true;
    actions_[id] = nullptr;
  }
}

void Simulator::drop_cancelled() const {
  while (!queue_.empty() && cancelled_[queue_.top().seq]) queue_.pop();
}

bool Simulator::idle() const {
  drop_cancelled();
  return queue_.empty();
}

std::optional<SimTime> Simulator::next_time() const {
  drop_cancelled();
  if (queue_.empty()) return std::nullopt;
  return queue_.top().time;
}

bool Simulator::step() {
  drop_cancelled();
  if (queue_.empty()) return false;
  const Key key = queue_.top();
  queue_.pop();
  now_ = key.time;
  Action action = std::move(actions_[key.seq]);
  actions_[key.seq] = nullptr;
  cancelled_[key.seq] = true;  // ran: a later cancel() is a no-op
  ++executed_;
  if (action) action();
  return true;
}

std::size_t Simulator::run_until(SimTime horizon) {
  std::size_t n = 0;
  while (true) {
    auto t = next_time();
    if (!t || *t > horizon) break;
    step();
    ++n;
  }
  return n;
}

}  // namespace postlab
