// A fixed-size, log-linear latency histogram (in the manner of HdrHistogram): recording is an
// index computation and an increment, with no allocation, so it can sit in the subscribers' hot
// path; histograms from several worker processes merge by adding their counts.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace liveticker::bench {

class latency_histogram {
public:
    /// Values below 2^(sub_bits+1) are counted exactly; above, each power of two is split into
    /// 2^sub_bits buckets, so a reported value is within 0.2% of the recorded one.
    static constexpr int sub_bits = 9;
    static constexpr std::uint64_t sub_count = std::uint64_t{1} << sub_bits;
    static constexpr std::uint64_t linear_limit = sub_count * 2;
    /// Up to 2^40 ns (18 minutes): far beyond any run's length; larger values share the last.
    static constexpr int max_bits = 40;
    static constexpr std::size_t bucket_count =
        static_cast<std::size_t>(linear_limit + (max_bits - sub_bits - 1) * sub_count);

    void record(std::uint64_t value) noexcept {
        ++counts_[index_of(value)];
        ++total_;
        max_ = std::max(max_, value);
    }

    void merge(const latency_histogram& other) noexcept {
        for (std::size_t i = 0; i < bucket_count; ++i) {
            counts_[i] += other.counts_[i];
        }
        total_ += other.total_;
        max_ = std::max(max_, other.max_);
    }

    std::uint64_t count() const noexcept { return total_; }
    std::uint64_t max() const noexcept { return max_; }

    /// The value at quantile `q` (0.5, 0.99, …): the highest value of its bucket, never above
    /// the recorded maximum. 0 when empty.
    std::uint64_t quantile(double q) const noexcept {
        if (total_ == 0) {
            return 0;
        }
        const auto rank = std::max<std::uint64_t>(
            1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_))));
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < bucket_count; ++i) {
            seen += counts_[i];
            if (seen >= rank) {
                return std::min(highest_of(i), max_);
            }
        }
        return max_;
    }

private:
    static std::size_t index_of(std::uint64_t v) noexcept {
        if (v < linear_limit) {
            return static_cast<std::size_t>(v);
        }
        const int msb = 63 - std::countl_zero(v); // > sub_bits
        const int shift = msb - sub_bits;         // >= 1
        const std::uint64_t sub = (v >> shift) - sub_count;
        const auto index = linear_limit + static_cast<std::uint64_t>(shift - 1) * sub_count + sub;
        return static_cast<std::size_t>(std::min<std::uint64_t>(index, bucket_count - 1));
    }

    static std::uint64_t highest_of(std::size_t index) noexcept {
        if (index < linear_limit) {
            return index;
        }
        const std::uint64_t rest = index - linear_limit;
        const int shift = static_cast<int>(rest / sub_count) + 1;
        const std::uint64_t sub = rest % sub_count + sub_count;
        return ((sub + 1) << shift) - 1;
    }

    std::array<std::uint64_t, bucket_count> counts_{};
    std::uint64_t total_ = 0;
    std::uint64_t max_ = 0;
};

} // namespace liveticker::bench
