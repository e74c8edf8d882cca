#include "core/simulator.h"

#include <utility>

namespace postlab {

namespace {

constexpr std::uint64_t kSlotBits = 32;
constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;

}  // namespace

// The heap is sifted by hand (a hole moves instead of swapping twice), which keeps one step cheap.
void Simulator::push(Entry e) {
  std::size_t i = heap_.size();
  heap_.push_back(e);
  while (i > 0) {
    const std::size_t parent = (i - 1) / 2;
    if (!later(heap_[parent], e)) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = e;
}

void Simulator::pop() {
  const Entry last = heap_.back();
  heap_.pop_back();
  const std::size_t n = heap_.size();
  if (n == 0) return;
  std::size_t i = 0;
  while (true) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && later(heap_[child], heap_[child + 1])) ++child;
    if (!later(last, heap_[child])) break;
    heap_[i] = heap_[child];
    i = child;
  }
  heap_[i] = last;
}

void Simulator::free_slot(std::uint32_t slot) {
  Slot& s = slots_[slot];
  s.action = nullptr;
  s.cancelled = false;
  if (++s.generation == 0) s.generation = 1;  // 0 never names a live event
  free_.push_back(slot);
}

EventId Simulator::at(SimTime when, Action action) {
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  slots_[slot].action = std::move(action);
  push(Entry{when < now_ ? now_ : when, next_seq_++, slot});
  return (std::uint64_t{slots_[slot].generation} << kSlotBits) | slot;
}

void Simulator::cancel(EventId id) {
  const std::uint64_t slot = id & kSlotMask;
  if (slot >= slots_.size()) return;
  Slot& s = slots_[slot];
  if (s.generation != (id >> kSlotBits) || s.cancelled) return;  // ran, cancelled, or never existed
  s.cancelled = true;
  s.action = nullptr;  // what it captured is released now; the slot when its entry leaves the heap
}

void Simulator::drop_cancelled() const {
  auto* self = const_cast<Simulator*>(this);  // only drops what cancel() already removed
  while (!heap_.empty() && slots_[heap_.front().slot].cancelled) {
    const std::uint32_t slot = heap_.front().slot;
    self->pop();
    self->free_slot(slot);
  }
}

bool Simulator::idle() const {
  drop_cancelled();
  return heap_.empty();
}

std::optional<SimTime> Simulator::next_time() const {
  drop_cancelled();
  if (heap_.empty()) return std::nullopt;
  return heap_.front().time;
}

bool Simulator::step() {
  drop_cancelled();
  if (heap_.empty()) return false;
  const Entry e = heap_.front();
  pop();
  now_ = e.time;
  Action action = std::move(slots_[e.slot].action);
  free_slot(e.slot);  // ran: a later cancel() of its id is a no-op
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
