// Discrete-event engine: events ordered by (time, insertion sequence), lazy cancellation.
// Memory is proportional to the events pending, not to all events ever scheduled: an action lives in
// a slot that is reused once it has run or been cancelled.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "core/time.h"

namespace postlab {

// Names one scheduled event for cancel(). Opaque: ids of events that have run or been cancelled (and
// numbers never returned by at()) are ignored by cancel().
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
  std::size_t pending_capacity() const { return slots_.size(); }  // slots allocated (peak of pending events)

 private:
  // A heap entry: 24 bytes moved while the heap is kept in order; the action stays in its slot.
  struct Entry {
    SimTime time;
    std::uint64_t seq;   // insertion order: equal times run first-scheduled first
    std::uint32_t slot;
  };
  struct Slot {
    Action action;
    std::uint32_t generation = 1;  // bumped when the slot is freed, so an old EventId no longer matches
    bool cancelled = false;        // cancelled while its entry is still in the heap
  };
  static bool later(const Entry& a, const Entry& b) { return a.time != b.time ? a.time > b.time : a.seq > b.seq; }
  void push(Entry e);
  void pop();  // removes heap_.front()
  void free_slot(std::uint32_t slot);
  void drop_cancelled() const;

  SimTime now_ = 0;
  std::uint64_t next_seq_ = 0;
  std::size_t executed_ = 0;
  mutable std::vector<Entry> heap_;  // binary min-heap on (time, seq)
  mutable std::vector<Slot> slots_;
  mutable std::vector<std::uint32_t> free_;  // slots ready for reuse
};

}  // namespace postlab
