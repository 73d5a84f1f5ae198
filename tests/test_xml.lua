-- tests/test_xml.lua: mfakit.xml (expat binding, LuaExpat LOM shape).
local xml = require "mfakit.xml"
local json = require "mfakit.json"

-- Replies captured from moto 5.2.1 (`moto_server`, query protocol, 2026-11)
-- with curl; moto sends them unindented, as here.
local MOTO_GET_ROLE = [[<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">]]
    .. [[<GetRoleResult><Role><Path>/service-role/</Path><RoleName>mfakit-sms</RoleName>]]
    .. [[<RoleId>AROARZPUZDIKNJUKSMOQ5</RoleId>]]
    .. [[<Arn>arn:aws:iam::123456789012:role/service-role/mfakit-sms</Arn>]]
    .. [[<CreateDate>2026-11-28T05:26:59.790214Z</CreateDate>]]
    .. [[<AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A]]
    .. [[%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22cognito-]]
    .. [[idp.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%2C%22Condition%22%3A]]
    .. [[%7B%22StringEquals%22%3A%7B%22sts%3AExternalId%22%3A%22a%26b%3Cc%3E%22%7D%7D%7D%5D%7D]]
    .. [[</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration><RoleLastUsed/>]]
    .. [[</Role></GetRoleResult><ResponseMetadata>]]
    .. [[<RequestId>OZWJy9F6NExnfWiIufssDrC742ewdzxZeaKwfxFRmyS4Vzv5W7qP</RequestId>]]
    .. [[</ResponseMetadata></GetRoleResponse>]]

local MOTO_GET_SMS_ATTRIBUTES = [[<GetSMSAttributesResponse ]]
    .. [[xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><GetSMSAttributesResult><attributes>]]
    .. [[<entry><key>DefaultSMSType</key><value>Transactional</value></entry>]]
    .. [[<entry><key>MonthlySpendLimit</key><value>1</value></entry></attributes>]]
    .. [[</GetSMSAttributesResult><ResponseMetadata>]]
    .. [[<RequestId>4o1JMfMHA3h0iOWHWairGPN6gKFiVCNCbzuRM20htwuzj6rSsaEN</RequestId>]]
    .. [[</ResponseMetadata></GetSMSAttributesResponse>]]

local MOTO_IAM_ERROR = [[<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">]]
    .. [[<Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>Role NoSuchRole not found]]
    .. [[</Message><message>Role NoSuchRole not found</message></Error>]]
    .. [[<RequestId>aBXpg9xg5ONqU6qWDGP27ibJeQ4eaRCqUw3fRrOamyFzil20eK6Q</RequestId>]]
    .. [[</ErrorResponse>]]

-- AWS itself indents its query-protocol replies; this one has the layout of
-- the GetRole example in the IAM API reference.
local AWS_GET_ROLE = [[
<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetRoleResult>
    <Role>
      <Path>/application_abc/component_xyz/</Path>
      <Arn>arn:aws:iam::123456789012:role/application_abc/component_xyz/S3Access</Arn>
      <RoleName>S3Access</RoleName>
      <AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%7D</AssumeRolePolicyDocument>
      <CreateDate>2012-05-08T23:34:01Z</CreateDate>
      <RoleId>AROADBQP57FF2AEXAMPLE</RoleId>
      <RoleLastUsed>
        <LastUsedDate>2019-11-20T17:09:20Z</LastUsedDate>
        <Region>us-east-1</Region>
      </RoleLastUsed>
    </Role>
  </GetRoleResult>
  <ResponseMetadata>
    <RequestId>df37e965-9967-11e1-a4c3-270EXAMPLE04</RequestId>
  </ResponseMetadata>
</GetRoleResponse>
]]

-- the first child element with this tag, following a path of tags
local function find(el, ...)
    for _, tag in ipairs { ... } do
        local next_el
        for _, c in ipairs(el) do
            if type(c) == "table" and c.tag == tag then
                next_el = c
                break
            end
        end
        if not next_el then return nil end
        el = next_el
    end
    return el
end

local function url_decode(s)
    return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

local t = require "mfakit.test"
t.case("moto GetRole: LOM shape and the URL-encoded policy", function()
    local doc = assert(xml.decode(MOTO_GET_ROLE))
    t.eq(doc.tag, "GetRoleResponse")
    t.eq(doc.attr, { "xmlns", xmlns = "https://iam.amazonaws.com/doc/2010-05-08/" })
    local role = find(doc, "GetRoleResult", "Role")
    t.eq(find(role, "RoleName"), { tag = "RoleName", attr = {}, "mfakit-sms" })
    t.eq(find(role, "RoleLastUsed"), { tag = "RoleLastUsed", attr = {} })
    t.eq(find(role, "MaxSessionDuration")[1], "3600")
    local policy = json.decode(url_decode(find(role, "AssumeRolePolicyDocument")[1]))
    t.eq(policy.Statement[1].Principal.Service, "cognito-idp.amazonaws.com")
    t.eq(policy.Statement[1].Condition.StringEquals["sts:ExternalId"], "a&b<c>")
    t.eq(find(doc, "ResponseMetadata", "RequestId")[1],
        "OZWJy9F6NExnfWiIufssDrC742ewdzxZeaKwfxFRmyS4Vzv5W7qP")
end)

t.case("indented GetRole: indentation dropped", function()
    local doc = assert(xml.decode(AWS_GET_ROLE))
    t.eq(#doc, 2, "GetRoleResult and ResponseMetadata only")
    local role = find(doc, "GetRoleResult", "Role")
    t.eq(#role, 7)
    for _, c in ipairs(role) do t.eq(type(c), "table", "no text between elements") end
    t.eq(find(role, "RoleLastUsed"), {
        tag = "RoleLastUsed", attr = {},
        { tag = "LastUsedDate", attr = {}, "2019-11-20T17:09:20Z" },
        { tag = "Region", attr = {}, "us-east-1" },
    })
    t.eq(url_decode(find(role, "AssumeRolePolicyDocument")[1]), '{"Version":"2012-10-17"}')
end)

t.case("SNS GetSMSAttributes entries", function()
    local doc = assert(xml.decode(MOTO_GET_SMS_ATTRIBUTES))
    local attrs = {}
    for _, entry in ipairs(find(doc, "GetSMSAttributesResult", "attributes")) do
        t.eq(entry.tag, "entry")
        attrs[find(entry, "key")[1]] = find(entry, "value")[1]
    end
    t.eq(attrs, { DefaultSMSType = "Transactional", MonthlySpendLimit = "1" })
end)

t.case("ErrorResponse", function()
    local doc = assert(xml.decode(MOTO_IAM_ERROR))
    t.eq(doc.tag, "ErrorResponse")
    t.eq(find(doc, "Error", "Code")[1], "NoSuchEntity")
    t.eq(find(doc, "Error", "Message")[1], "Role NoSuchRole not found")
    t.eq(find(doc, "Error", "message")[1], "Role NoSuchRole not found")
    t.eq(find(doc, "Error", "Type")[1], "Sender")
    -- the SigV4 failure shape, with an extra <Errors> level
    local sig = assert(xml.decode("<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch"
        .. "</Code><Type>Sender</Type></Error></Errors></ErrorResponse>"))
    t.eq(find(sig, "Errors", "Error", "Code")[1], "SignatureDoesNotMatch")
end)

t.case("attributes keep order and values", function()
    local doc = assert(xml.decode([[<a z="1" y='two' x="&lt;&amp;&gt;&quot;&apos;&#65;"/>]]))
    t.eq(doc, { tag = "a", attr = { "z", "y", "x", z = "1", y = "two", x = "<&>\"'A" } })
end)

t.case("character data is merged", function()
    local doc = assert(xml.decode("<a>one &amp; <![CDATA[<two>]]>&#x33;&#51;\r\nfour</a>"))
    t.eq(doc, { tag = "a", attr = {}, "one & <two>33\nfour" })
end)

t.case("whitespace: dropped beside elements, kept in a leaf", function()
    t.eq(xml.decode("<a>\n  <b> </b>\n  <c>\t</c>\n</a>"), {
        tag = "a", attr = {},
        { tag = "b", attr = {}, " " },
        { tag = "c", attr = {}, "\t" },
    })
    t.eq(xml.decode("<a>x <b/> y</a>"), { tag = "a", attr = {}, "x ", { tag = "b", attr = {} }, " y" })
    t.eq(xml.decode("<a></a>"), { tag = "a", attr = {} })
    t.eq(xml.decode("<?xml version='1.0'?>\n<!-- c --><a><?pi x?>t<!-- c --></a>\n"),
        { tag = "a", attr = {}, "t" })
end)

t.case("UTF-8 and declared encodings", function()
    t.eq(xml.decode("<a>h\u{e9}llo \u{1F600}</a>")[1], "h\u{e9}llo \u{1F600}")
    t.eq(xml.decode('<?xml version="1.0" encoding="ISO-8859-1"?><a>caf\xe9</a>')[1],
        "caf\u{e9}", "Latin-1 in, UTF-8 out")
    t.fails("InvalidXML", xml.decode("<a>caf\xe9</a>"))
end)

t.case("namespaces are not expanded", function()
    local doc = assert(xml.decode('<soap:Envelope xmlns:soap="urn:s" xmlns="urn:d">'
        .. "<soap:Body><R/></soap:Body></soap:Envelope>"))
    t.eq(doc.tag, "soap:Envelope")
    t.eq(doc.attr["xmlns:soap"], "urn:s")
    t.eq(doc.attr.xmlns, "urn:d")
    t.eq(find(doc, "soap:Body", "R").tag, "R")
end)

t.case("malformed input returns InvalidXML with line and column", function()
    local cases = {
        "", "   ", "text", "<a>", "<a></b>", "<a><b></a></b>", "<a/><b/>", "<a>&nope;</a>",
        "<a>&#0;</a>", '<a x="1" x="2"/>', "<a x=1/>", "<a>\1</a>", "<a/>junk", "<1a/>",
        "<a>]]></a>",
    }
    for _, s in ipairs(cases) do
        local err = t.fails("InvalidXML", xml.decode(s))
        t.ok(err.message:find("at line %d+, column %d+$"), "position in: " .. err.message)
    end
    local err = t.fails("InvalidXML", xml.decode("<a>\n  <b>\n</a>"))
    t.eq(err.message, "mismatched tag at line 3, column 3")
end)

t.case("DOCTYPE and entities are refused", function()
    local laughs = [[<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol4;</lolz>]]
    local err = t.fails("InvalidXML", xml.decode(laughs))
    t.ok(err.message:find("DOCTYPE"), err.message)
    t.fails("InvalidXML", xml.decode('<!DOCTYPE a SYSTEM "file:///etc/passwd"><a>&x;</a>'))
    t.fails("InvalidXML", xml.decode(
        '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'))
    t.fails("InvalidXML", xml.decode("<!DOCTYPE a><a/>"))
end)

t.case("depth limit", function()
    local ok = string.rep("<a>", 1000) .. string.rep("</a>", 1000)
    t.ok(xml.decode(ok), "1000 levels decode")
    local err = t.fails("InvalidXML", xml.decode(string.rep("<a>", 1001) .. string.rep("</a>", 1001)))
    t.ok(err.message:find("deeper than 1000"), err.message)
    t.fails("InvalidXML", xml.decode(string.rep("<a>", 100000)))
end)

t.case("a large document", function()
    local parts = { "<r>" }
    for i = 1, 20000 do parts[#parts + 1] = "<m><k>" .. i .. "</k><v>" .. ("x"):rep(50) .. "</v></m>" end
    parts[#parts + 1] = "</r>"
    local doc = assert(xml.decode(table.concat(parts)))
    t.eq(#doc, 20000)
    t.eq(doc[20000][1][1], "20000")
end)

t.case("argument checks", function()
    t.raises("bad argument #1", xml.decode)
    t.raises("bad argument #1", xml.decode, {})
end)
