using System.Net;
using System.Text;
using System.Text.Json;
using OnnxInterp.Cli.Experiments;

namespace OnnxInterp.Cli.Reports.Html;

/// <summary>
/// An attention view for the report, in the spirit of CircuitsVis's <c>attention_heads</c>: a selector over the batch's
/// sequences, a checkbox per head so heads can be compared side by side, a cell-size slider, a colour legend (weight 0 to 1),
/// and a tooltip with the query and key tokens and the weight. The data sits in a JSON script block that
/// System.Text.Json escapes (&lt;, &gt;, &amp;), so no token can end the block; <see cref="Script"/> is included once per page.
/// </summary>
public static class AttentionViewHtml
{
    public static string Render(string id, AttentionView view)
    {
        var data = new
        {
            causal = view.Causal,
            sequences = view.Sequences.Select(s => new
            {
                tokens = s.Tokens,
                heads = s.Heads.Select(h => new
                {
                    name = $"L{h.Layer}H{h.Head}",
                    scores = h.Scores,
                    pattern = h.Pattern.Select((row, q) => row.Take(view.Causal ? q + 1 : row.Length).Select(v => Math.Round(v, 4)).ToArray()).ToArray(),
                }),
            }),
        };
        var html = new StringBuilder();
        html.Append("<div class=\"attention\" id=\"").Append(id).Append("\">\n<p class=\"controls\">sequence <select class=\"seq\"></select> ")
            .Append("cell size <input class=\"zoom\" type=\"range\" min=\"3\" max=\"32\" value=\"10\"> ")
            .Append("<span class=\"legend\">weight 0 <span class=\"ramp\"></span> 1</span></p>\n")
            .Append("<p class=\"controls heads\">heads: <button type=\"button\" class=\"all\">all</button> <button type=\"button\" class=\"none\">none</button> </p>\n")
            .Append("<p class=\"hint\">").Append(WebUtility.HtmlEncode(view.Title)).Append(". Rows are queries, columns keys; tick heads to compare them side by side; hover a cell for its tokens and weight.</p>\n")
            .Append("<div class=\"panels\"></div>\n<script type=\"application/json\" class=\"attention-data\">")
            .Append(JsonSerializer.Serialize(data)).Append("</script>\n</div>\n");
        return html.ToString();
    }

    public const string Css = """
        .attention .panels { display: flex; flex-wrap: wrap; gap: 18px; }
        .attention .panel { border: 1px solid #ccc; border-radius: 4px; padding: 6px; }
        .attention .panel h5 { font-size: 13px; margin: 0 0 4px; font-family: monospace; }
        .attention .panel h5 span { color: #555; font-weight: normal; }
        .attention .heads label { font-family: monospace; margin-right: 8px; }
        .ramp { display: inline-block; width: 120px; height: 10px; vertical-align: middle; border: 1px solid #bbb;
                background: linear-gradient(to right, rgb(255,255,255), rgb(0,0,255)); }
        #tip { position: fixed; display: none; background: #222; color: #fff; padding: 4px 6px; border-radius: 3px;
               font: 12px monospace; pointer-events: none; white-space: pre; z-index: 10; }

        """;

    public const string Script = """
        (function () {
          var tip = document.getElementById('tip');
          function show(t) { return t.replace(/\n/g, '\u21b5').replace(/ /g, '\u00b7'); }
          document.querySelectorAll('.attention').forEach(function (root) {
            var data = JSON.parse(root.querySelector('.attention-data').textContent);
            var seq = root.querySelector('.seq'), zoom = root.querySelector('.zoom'), panels = root.querySelector('.panels');
            var headBar = root.querySelector('.heads'), boxes = [];
            data.sequences.forEach(function (s, i) {
              var o = document.createElement('option'); o.value = i;
              o.textContent = (i + 1) + ' of ' + data.sequences.length + ': ' + s.tokens.slice(0, 8).map(show).join(' ') + ' \u2026';
              seq.appendChild(o);
            });
            data.sequences[0].heads.forEach(function (h, i) {
              var label = document.createElement('label'), box = document.createElement('input');
              box.type = 'checkbox'; box.checked = true; box.addEventListener('change', render);
              label.appendChild(box); label.appendChild(document.createTextNode(' ' + h.name)); headBar.appendChild(label); boxes.push(box);
            });
            headBar.querySelector('.all').addEventListener('click', function () { boxes.forEach(function (b) { b.checked = true; }); render(); });
            headBar.querySelector('.none').addEventListener('click', function () { boxes.forEach(function (b) { b.checked = false; }); render(); });
            function draw(canvas, tokens, head, cell) {
              var n = tokens.length, ctx = canvas.getContext('2d');
              var font = Math.max(8, Math.min(12, cell)) + 'px monospace';
              ctx.font = font;
              var pad = 0;
              tokens.forEach(function (t) { pad = Math.max(pad, ctx.measureText(t).width); });
              pad = Math.min(140, Math.ceil(pad) + 6);
              canvas.width = pad + n * cell + 2; canvas.height = pad + n * cell + 2;
              canvas.dataset.pad = pad; canvas.dataset.cell = cell;
              ctx.font = font; ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, canvas.width, canvas.height);
              for (var q = 0; q < n; q++) {
                var row = head.pattern[q];
                for (var k = 0; k < n; k++) {
                  var v = k < row.length ? row[k] : 0, shade = Math.round(255 * (1 - Math.max(0, Math.min(1, v))));
                  ctx.fillStyle = 'rgb(' + shade + ',' + shade + ',255)';
                  ctx.fillRect(pad + k * cell, pad + q * cell, cell, cell);
                }
              }
              ctx.strokeStyle = '#bbb'; ctx.strokeRect(pad - 0.5, pad - 0.5, n * cell + 1, n * cell + 1);
              if (cell < 6) return;
              ctx.fillStyle = '#222'; ctx.textBaseline = 'middle'; ctx.textAlign = 'right';
              tokens.forEach(function (t, i) { ctx.fillText(t, pad - 4, pad + i * cell + cell / 2); });
              ctx.save(); ctx.rotate(-Math.PI / 2); ctx.textAlign = 'left';
              tokens.forEach(function (t, i) { ctx.fillText(t, -pad + 4, pad + i * cell + cell / 2); });
              ctx.restore();
            }
            function render() {
              var s = data.sequences[+seq.value || 0], tokens = s.tokens.map(show), cell = parseInt(zoom.value, 10);
              panels.innerHTML = '';
              s.heads.forEach(function (head, i) {
                if (!boxes[i].checked) return;
                var panel = document.createElement('div'); panel.className = 'panel';
                var title = document.createElement('h5'); title.textContent = head.name + ' ';
                var scores = document.createElement('span');
                scores.textContent = Object.keys(head.scores).map(function (k) { return k + ' ' + head.scores[k].toFixed(3); }).join('  ');
                title.appendChild(scores); panel.appendChild(title);
                var canvas = document.createElement('canvas'); panel.appendChild(canvas); panels.appendChild(panel);
                draw(canvas, tokens, head, cell);
                canvas.addEventListener('mousemove', function (e) {
                  var r = canvas.getBoundingClientRect(), pad = +canvas.dataset.pad, c = +canvas.dataset.cell;
                  var k = Math.floor((e.clientX - r.left - pad) / c), q = Math.floor((e.clientY - r.top - pad) / c);
                  if (q < 0 || k < 0 || q >= tokens.length || k >= tokens.length) { tip.style.display = 'none'; return; }
                  var row = head.pattern[q], v = k < row.length ? row[k] : 0;
                  tip.textContent = head.name + '\nquery ' + q + ' ' + tokens[q] + '\nkey   ' + k + ' ' + tokens[k] + '\nweight ' + v.toFixed(4);
                  tip.style.left = (e.clientX + 14) + 'px'; tip.style.top = (e.clientY + 14) + 'px'; tip.style.display = 'block';
                });
                canvas.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
              });
            }
            seq.addEventListener('change', render); zoom.addEventListener('input', render);
            render();
          });
        })();

        """;
}
