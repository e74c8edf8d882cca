// Discrete-event engine: events ordered by (time, insertion sequence), lazy cancellation.
// Memory is proportional to the events pending, not to all events ever scheduled: an action lives in
// a slot that is reused once it has run or been cancelled. Virtual time never goes back, so the queue
// is a radix heap (Ahuja, Mehlhorn, Orlin and Tarjan, 1990): an entry moves down a few buckets in its
// life instead of being compared along a heap's height at every push and pop.
#pragma once
#include <array>
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

 private:
  struct Entry {
    std::uint64_t time;  // a SimTime, never negative
    std::uint64_t seq;   // insertion order: equal times run first-scheduled first
    std::uint32_t slot;  // where the action is
  };
  struct Slot {
    Action action;
    std::uint32_t generation = 1;  // bumped when the slot is freed, so an old EventId no longer matches
    bool cancelled = false;        // cancelled while its entry is still queued
  };
  // The queue is a radix heap (times only grow): bucket b > 0 holds the entries whose time first
  // differs from base_ at bit b-1; bucket 0 holds those at base_, in sequence order, read from head_.
  static constexpr std::size_t kBuckets = 65;
  std::size_t bucket_of(std::uint64_t time) const;
  void push(const Entry& e);
  const Entry* front() const;  // the next entry (cancelled ones included), or null
  bool refill() const;         // moves the earliest bucket down so that bucket 0 is not empty
  void rebase(std::uint64_t time) const;  // an entry earlier than base_ arrives (after a peek)
  void free_slot(std::uint32_t slot) const;
  void drop_cancelled() const;

  SimTime now_ = 0;
  std::uint64_t next_seq_ = 0;
  std::size_t executed_ = 0;
  mutable std::uint64_t base_ = 0;
  mutable std::size_t head_ = 0;  // next entry of bucket 0
  mutable std::size_t queued_ = 0;
  mutable std::array<std::vector<Entry>, kBuckets> buckets_;
  mutable std::vector<Slot> slots_;
  mutable std::vector<std::uint32_t> free_;  // slots ready for reuse
};

}  // namespace postlab
