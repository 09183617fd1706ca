// File: phone_numbers.cc
#include "entities/phone_numbers.h"

#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <set>

namespace trawl {
namespace {

using i18n::phonenumbers::PhoneNumberUtil;

const PhoneNumberUtil& Util() {
  static PhoneNumberUtil* const util = [] {
    PhoneNumberUtil* instance = PhoneNumberUtil::GetInstance();
    // The library logs parse failures; a candidate that is not a number is not news.
    instance->SetLogger(new i18n::phonenumbers::NullLogger());
    return instance;
  }();
  return *util;
}

std::string_view TypeName(PhoneNumberUtil::PhoneNumberType type) {
  switch (type) {
    case PhoneNumberUtil::FIXED_LINE: return "fixed_line";
    case PhoneNumberUtil::MOBILE: return "mobile";
    case PhoneNumberUtil::FIXED_LINE_OR_MOBILE: return "fixed_line_or_mobile";
    case PhoneNumberUtil::TOLL_FREE: return "toll_free";
    case PhoneNumberUtil::PREMIUM_RATE: return "premium_rate";
    case PhoneNumberUtil::SHARED_COST: return "shared_cost";
    case PhoneNumberUtil::VOIP: return "voip";
    case PhoneNumberUtil::PERSONAL_NUMBER: return "personal_number";
    case PhoneNumberUtil::PAGER: return "pager";
    case PhoneNumberUtil::UAN: return "uan";
    case PhoneNumberUtil::VOICEMAIL: return "voicemail";
    default: return "unknown";
  }
}

std::string_view ErrorName(PhoneNumberUtil::ErrorType error) {
  switch (error) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR: return "unknown country calling code";
    case PhoneNumberUtil::NOT_A_NUMBER: return "not a phone number";
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD: return "too short after the international prefix";
    case PhoneNumberUtil::TOO_SHORT_NSN: return "national number too short";
    case PhoneNumberUtil::TOO_LONG_NSN: return "national number too long";
    default: return "does not parse";
  }
}

}  // namespace

PhoneNumber ParsePhoneNumber(std::string_view text, std::string_view default_region) {
  PhoneNumber out;
  const PhoneNumberUtil& util = Util();
  i18n::phonenumbers::PhoneNumber number;
  const PhoneNumberUtil::ErrorType error =
      util.Parse(std::string(text), std::string(default_region), &number);
  if (error != PhoneNumberUtil::NO_PARSING_ERROR) {
    out.why = std::string(ErrorName(error));
    return out;
  }
  if (!util.IsValidNumber(number)) {
    out.why = "not a valid number in its numbering plan";
    return out;
  }
  out.valid = true;
  util.Format(number, PhoneNumberUtil::E164, &out.e164);
  util.GetRegionCodeForNumber(number, &out.region);
  out.type = std::string(TypeName(util.GetNumberType(number)));
  return out;
}

bool IsKnownPhoneRegion(std::string_view region) {
  static const std::set<std::string, std::less<>> regions = [] {
    std::set<std::string> r;
    Util().GetSupportedRegions(&r);
    return std::set<std::string, std::less<>>(r.begin(), r.end());
  }();
  return regions.count(region) != 0;
}

}  // namespace trawl
