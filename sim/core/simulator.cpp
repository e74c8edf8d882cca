#include "core/simulator.h"

#include <algorithm>
#include <bit>
#include <utility>

namespace postlab {

namespace {

constexpr std::uint64_t kSlotBits = 32;
constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;

}  // namespace

std::size_t Simulator::bucket_of(std::uint64_t time) const {
  return time == base_ ? 0 : static_cast<std::size_t>(64 - std::countl_zero(time ^ base_));
}

void Simulator::push(const Entry& e) {
  if (e.time < base_) rebase(e.time);
  buckets_[bucket_of(e.time)].push_back(e);
  ++queued_;
}

void Simulator::rebase(std::uint64_t time) const {
  std::vector<Entry> all;
  all.reserve(queued_);
  auto& b0 = buckets_[0];
  all.insert(all.end(), b0.begin() + static_cast<std::ptrdiff_t>(head_), b0.end());
  b0.clear();
  head_ = 0;
  for (std::size_t b = 1; b < kBuckets; ++b) {
    all.insert(all.end(), buckets_[b].begin(), buckets_[b].end());
    buckets_[b].clear();
  }
  base_ = time;
  for (const Entry& e : all) buckets_[bucket_of(e.time)].push_back(e);
}

bool Simulator::refill() const {
  auto& b0 = buckets_[0];
  b0.clear();
  head_ = 0;
  std::size_t b = 1;
  while (b < kBuckets && buckets_[b].empty()) ++b;
  if (b == kBuckets) return false;
  auto& from = buckets_[b];
  std::uint64_t least = from.front().time;
  for (const Entry& e : from) least = std::min(least, e.time);
  base_ = least;
  for (const Entry& e : from) buckets_[bucket_of(e.time)].push_back(e);  // every one to a lower bucket
  from.clear();
  // Those at the new base came from one bucket in the order they arrived there, which is not always
  // the order they were scheduled in.
  if (b0.size() > 1)
    std::sort(b0.begin(), b0.end(), [](const Entry& x, const Entry& y) { return x.seq < y.seq; });
  return true;
}

const Simulator::Entry* Simulator::front() const {
  if (head_ == buckets_[0].size() && !refill()) return nullptr;
  return &buckets_[0][head_];
}

void Simulator::free_slot(std::uint32_t slot) const {
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
  push(Entry{static_cast<std::uint64_t>(when < now_ ? now_ : when), next_seq_++, slot});
  return (std::uint64_t{slots_[slot].generation} << kSlotBits) | slot;
}

void Simulator::cancel(EventId id) {
  const std::uint64_t slot = id & kSlotMask;
  if (slot >= slots_.size()) return;
  Slot& s = slots_[slot];
  if (s.generation != (id >> kSlotBits) || s.cancelled) return;  // ran, cancelled, or never existed
  s.cancelled = true;
  s.action = nullptr;  // what it captured is released now; the slot when its entry leaves the queue
}

void Simulator::drop_cancelled() const {
  for (const Entry* e = front(); e && slots_[e->slot].cancelled; e = front()) {
    ++head_;
    --queued_;
    free_slot(e->slot);
  }
}

bool Simulator::idle() const {
  drop_cancelled();
  return queued_ == 0;
}

std::optional<SimTime> Simulator::next_time() const {
  drop_cancelled();
  const Entry* e = front();
  if (!e) return std::nullopt;
  return static_cast<SimTime>(e->time);
}

bool Simulator::step() {
  drop_cancelled();
  const Entry* e = front();
  if (!e) return false;
  const Entry entry = *e;
  ++head_;
  --queued_;
  now_ = static_cast<SimTime>(entry.time);
  Action action = std::move(slots_[entry.slot].action);
  free_slot(entry.slot);  // ran: a later cancel() of its id is a no-op
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
