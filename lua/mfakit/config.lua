-- mfakit.config: the global command-line options, read by the library.
-- Fields: region, profile, endpoint, trace (boolean), output ("text"|"json").
-- Scripts may read them; aws.client options override them.
return { output = "text", trace = false }
