// An append-only sequence stored in fixed-size chunks: appending never moves what is stored (no
// copy of everything when it grows, references stay valid), and indexing is two loads. A chunk is
// one large page of memory (core/pages.h).
#pragma once
#include <cstddef>
#include <iterator>
#include <new>
#include <vector>

#include "core/pages.h"

namespace postlab {

template <class T>
class Chunked {
 public:
  static constexpr std::size_t kChunk = sizeof(T) < kLargePage ? kLargePage / sizeof(T) : 1;
  static constexpr std::size_t kChunkBytes = sizeof(T) < kLargePage ? kLargePage : sizeof(T);
  static_assert(alignof(T) <= 4096, "a chunk is page-aligned");

  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;
    const_iterator() = default;
    const_iterator(const Chunked* c, std::size_t i) : c_(c), i_(i) {}
    reference operator*() const { return (*c_)[i_]; }
    pointer operator->() const { return &(*c_)[i_]; }
    reference operator[](difference_type d) const { return (*c_)[static_cast<std::size_t>(static_cast<difference_type>(i_) + d)]; }
    const_iterator& operator++() { ++i_; return *this; }
    const_iterator operator++(int) { auto t = *this; ++i_; return t; }
    const_iterator& operator--() { --i_; return *this; }
    const_iterator operator--(int) { auto t = *this; --i_; return t; }
    const_iterator& operator+=(difference_type d) { i_ = static_cast<std::size_t>(static_cast<difference_type>(i_) + d); return *this; }
    const_iterator& operator-=(difference_type d) { return *this += -d; }
    friend const_iterator operator+(const_iterator a, difference_type d) { return a += d; }
    friend const_iterator operator+(difference_type d, const_iterator a) { return a += d; }
    friend const_iterator operator-(const_iterator a, difference_type d) { return a -= d; }
    friend difference_type operator-(const const_iterator& a, const const_iterator& b) {
      return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) { return a.i_ == b.i_; }
    friend auto operator<=>(const const_iterator& a, const const_iterator& b) { return a.i_ <=> b.i_; }

   private:
    const Chunked* c_ = nullptr;
    std::size_t i_ = 0;
  };

  Chunked() = default;
  Chunked(const Chunked&) = delete;
  Chunked& operator=(const Chunked&) = delete;
  ~Chunked() {
    for (std::size_t i = 0; i < size_; ++i) (*this)[i].~T();
    for (T* c : chunks_) free_pages(c, kChunkBytes);
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](std::size_t i) const { return chunks_[i / kChunk][i % kChunk]; }
  T& operator[](std::size_t i) { return chunks_[i / kChunk][i % kChunk]; }
  const T& back() const { return (*this)[size_ - 1]; }
  T& back() { return (*this)[size_ - 1]; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

  void push_back(T value) {
    // Raw memory per chunk: each slot is constructed once, when it is appended.
    if (size_ % kChunk == 0) {
      chunks_.reserve(chunks_.size() + 1);
      chunks_.push_back(static_cast<T*>(allocate_pages(kChunkBytes)));
    }
    new (chunks_.back() + size_ % kChunk) T(std::move(value));
    ++size_;
  }

 private:
  std::vector<T*> chunks_;
  std::size_t size_ = 0;
};

}  // namespace postlab
