// File: c_api.cc (being written)
