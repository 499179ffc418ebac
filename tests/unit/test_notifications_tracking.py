"""Link rewriting and the open pixel of tracked emails."""

from urllib.parse import parse_qs, urlsplit

from coachway.notifications import tracking

TOKEN = "t" * 32


def test_every_web_link_goes_through_the_click_redirect():
    html = '<a href="https://a.example/x">A</a> <A HREF=\'http://b.example/\'>B</A> <a href=https://c.example>C</a>'
    out, links = tracking.rewrite_links(html, TOKEN)
    assert links == ["https://a.example/x", "http://b.example/", "https://c.example"]
    assert out.count(f"/t/c/{TOKEN}?u=") == 3
    assert "https://a.example/x\"" not in out


def test_mailto_tel_and_anchors_are_left_alone():
    html = '<a href="mailto:a@b.example">m</a><a href="tel:+14045550134">t</a><a href="#top">top</a>'
    out, links = tracking.rewrite_links(html, TOKEN)
    assert out == html and links == []


def test_a_link_with_query_string_and_ampersands_round_trips():
    html = '<a href="https://pay.example/p?invoice=12&amp;amount=50%2E00&amp;q=a+b">Pay</a>'
    out, links = tracking.rewrite_links(html, TOKEN)
    assert links == ["https://pay.example/p?invoice=12&amount=50%2E00&q=a+b"]
    href = out.split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert parse_qs(urlsplit(href).query)["u"] == links


def test_the_same_link_twice_is_kept_once():
    html = '<a href="https://a.example/">1</a><a href="https://a.example/">2</a>'
    assert tracking.rewrite_links(html, TOKEN)[1] == ["https://a.example/"]


def test_pixel_goes_before_the_end_of_the_body():
    out = tracking.add_open_pixel("<html><body><p>Hi</p></body></html>", TOKEN)
    assert out.endswith(f'/t/o/{TOKEN}.gif" width="1" height="1" alt="" '
                        'style="display:block;width:1px;height:1px;border:0"></body></html>')


def test_pixel_is_appended_to_a_fragment():
    assert tracking.add_open_pixel("<p>Hi</p>", TOKEN).startswith("<p>Hi</p><img ")


def test_tokens_are_long_random_and_url_safe():
    tokens = {tracking.new_token() for _ in range(50)}
    assert len(tokens) == 50
    assert all(len(t) == 32 and t.replace("-", "").replace("_", "").isalnum() for t in tokens)


def test_the_pixel_is_a_1x1_transparent_gif():
    gif = tracking.PIXEL_GIF
    assert gif[:6] == b"GIF89a" and gif[6:10] == b"\x01\x00\x01\x00" and gif.endswith(b";")
    assert b"\x21\xf9\x04\x01" in gif  # graphic control extension with the transparency flag
