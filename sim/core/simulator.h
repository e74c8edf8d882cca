// Discrete-event engine: events ordered by (time, insertion sequence), lazy cancellation.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <vector>

#include "core/time.h"

namespace postlab {

using EventId = std::uint64_t;

class Simulator {
 public:
  using Action = std::function<void()>;

  SimTime now() const { return now_; }
  EventId at(SimTime when, Action action);  // when < now() is clamped to now()
  EventId after(Duration delay, Action action) { return at(now_ + delay, std::move(action)); }
  void cancel(EventId id);

  bool idle() const;                      // nothing left to run
  std::optional<SimTime> next_time() const;
  bool step();                            // run one event; false when none is left
  std::size_t run_until(SimTime horizon); // run every event with time <= horizon; returns how many
  std::size_t executed() const { return executed_; }

 private:
  struct Key {
    SimTime time;
    EventId seq;
    bool operator>(const Key& o) const { return time != o.time ? time > o.time : seq > o.seq; }
  };
  void drop_cancelled() const;

  SimTime now_ = 0;
  EventId next_seq_ = 0;
  std::size_t executed_ = 0;
  mutable std::priority_queue<Key, std::vector<Key>, std::greater<Key>> queue_;
  std::vector<Action> actions_;      // indexed by seq; empty once run or cancelled
  std::vector<bool> cancelled_;
};

}  // namespace postlab
