// JSON encoding and validating decoding of every message Liveticker sends or accepts.
// Decoders throw decode_error naming the offending field; encoders never throw on valid values.
// Documented message by message in protocol/README.md.
#pragma once

#include "liveticker/protocol/types.hpp"

#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

namespace liveticker::protocol {

/// A message from outside that is not acceptable. `field` names the JSON field ("" for the
/// message as a whole, "image.url" for nested ones) so the editor knows what to fix.
class decode_error : public std::runtime_error {
public:
    decode_error(std::string field, const std::string& message);
    const std::string& field() const noexcept { return field_; }

private:
    std::string field_;
};

// ---- Values ----
std::string encode_entry(const entry& e);
std::string encode_ticker(const ticker& t);
/// `{"tickers":[…]}`
std::string encode_ticker_list(std::span<const ticker> tickers);
/// `{"entries":[…],"cursor":C|null}`, the HTTP API's page
std::string encode_entry_page(std::span<const entry> entries, const std::optional<cursor>& next);

/// Decoders for values read back from the store or by clients (tickerctl, tests).
entry decode_entry(std::string_view json);
ticker decode_ticker(std::string_view json);

// ---- Editors' requests ----
new_ticker decode_new_ticker(std::string_view json);
ticker_patch decode_ticker_patch(std::string_view json);
entry_draft decode_entry_draft(std::string_view json);
entry_patch decode_entry_patch(std::string_view json);

/// HTTP API error body: `{"error":{"code":"…","message":"…"}}`, plus `"field"` when given.
std::string encode_api_error(std::string_view code, std::string_view message,
                             std::string_view field = {});

// ---- WebSocket: reader to server ----
using client_message = std::variant<subscribe_request, more_request, unsubscribe_request>;
client_message decode_client_message(std::string_view json);

// ---- WebSocket: server to reader ----
std::string encode_snapshot(const ticker& t, order ord, std::span<const entry> entries,
                            const std::optional<cursor>& next);
std::string encode_resumed(std::string_view ticker_id, std::int64_t seq);
std::string encode_page(std::string_view ticker_id, order ord, std::span<const entry> entries,
                        const std::optional<cursor>& next);
std::string encode_event(const event& ev);
/// `{"type":"error","code":"…","message":"…"}` plus `"ticker"` when the error concerns one.
std::string encode_ws_error(std::string_view code, std::string_view message,
                            std::string_view ticker_id = {});

/// Decodes any server-to-reader frame's `type` field; used by clients (tickerctl tail, tests).
event decode_event(std::string_view json);

} // namespace liveticker::protocol
