"""The four shapes a note lists entries in, read end to end on small notes."""
from __future__ import annotations

from pipeline.read import decode
from pipeline.run import extract_note


def entries_of(text, rules, recognizer, name="n.md"):
    return {e.name: e for e in extract_note(decode(name, text.encode("utf-8")), rules, recognizer)}


def urls_of(entry):
    return [u.url for u in entry.urls]


def test_heading_entries_split_two_names_and_their_links(rules, recognizer):
    note = """# Title

## 1 工具箱（Tools）
### FlagAI and FlagData

- https://github.com/FlagAI-Open/FlagAI

FlagAI (Fast LArge-scale General AI models) is a fast toolkit.

- https://github.com/FlagOpen/FlagData

FlagData, a data processing toolkit.
"""
    found = entries_of(note, rules, recognizer)
    assert set(found) == {"FlagAI", "FlagData"}
    assert urls_of(found["FlagAI"]) == ["https://github.com/FlagAI-Open/FlagAI"]
    assert urls_of(found["FlagData"]) == ["https://github.com/FlagOpen/FlagData"]
    assert found["FlagAI"].sources[0].line == 4 and found["FlagAI"].kind == "tool"


def test_grouping_bullet_gives_family_and_entry_bullet_keeps_children(rules, recognizer):
    note = """- MOSS
  - https://github.com/OpenLMLab/MOSS

- GLM
  - https://github.com/THUDM/ChatGLM2-6B
  - https://github.com/lich99/ChatGLM-finetune-LoRA
    - 基于alpaca数据集，使用Lora技术微调ChatGLM-6B
  - https://github.com/THUDM/GLM
"""
    found = entries_of(note, rules, recognizer)
    assert set(found) == {"MOSS", "ChatGLM2-6B", "ChatGLM-finetune-LoRA", "GLM"}
    assert urls_of(found["MOSS"]) == ["https://github.com/OpenLMLab/MOSS"]
    assert found["ChatGLM2-6B"].base_models == ("GLM",)
    assert found["ChatGLM-finetune-LoRA"].base_models == ("ChatGLM", "GLM")
    assert found["ChatGLM-finetune-LoRA"].parameters == (6000000000,)
    assert found["GLM"].base_models == ()


def test_table_row_with_two_linked_projects(rules, recognizer):
    note = """| contributor | model | language | base model | main feature |
| --- | --- | --- | --- | --- |
| HIT | [Huatuo](https://github.com/SCIR-HI/Huatuo-Llama-Med-Chinese) / [ChatGLM-Med](https://github.com/SCIR-HI/Med-ChatGLM) | zh | LLaMA/ChatGLM | tuned on [data](https://example.org/d). |
"""
    found = entries_of(note, rules, recognizer)
    assert set(found) == {"Huatuo", "ChatGLM-Med"}
    assert urls_of(found["Huatuo"]) == ["https://github.com/SCIR-HI/Huatuo-Llama-Med-Chinese"]
    assert found["Huatuo"].base_models == ("ChatGLM", "LLaMA")
    assert found["Huatuo"].organizations == ("Harbin Institute of Technology",) and found["Huatuo"].languages == ("zh",)


def test_article_prose_with_link_lines(rules, recognizer):
    note = """本文作者盘点了一些组织或者个人开源的模型，这是一段足够长的介绍文字，用来说明这是一篇文章而不是列表。

ChatYuan

ChatYuan（元语AI）是由元语智能开发团队开发和发布的，底层采用7亿参数规模的T5模型，并基于PromptClue进行了监督微调。

GitHub链接：

https://github.com/clue-ai/ChatYuan

LLaMa

LLaMA是由Facebook 母公司Meta发布的全新人工智能大型语言模型，在生成文本等任务上方面表现良好。

ChatLLaMA是由Nebuly+AI推出的基于人类反馈强化学习的LLaMA+AI聊天机器人的开源实现。

GitHub链接：

https://github.com/nebuly-ai/nebullvm/tree/main/apps/accelerate/chatllama
"""
    found = entries_of(note, rules, recognizer)
    assert set(found) == {"ChatYuan", "LLaMa", "ChatLLaMA"}
    assert found["ChatYuan"].sources[0].line == 3
    assert urls_of(found["ChatYuan"]) == ["https://github.com/clue-ai/ChatYuan"]
    assert found["ChatYuan"].parameters == (700000000,)
    assert urls_of(found["LLaMa"]) == []
    assert found["ChatLLaMA"].sources[0].line == 15
    assert found["ChatLLaMA"].base_models == ("LLaMA",)


def test_section_headings_are_not_entries(rules, recognizer):
    note = "# Doc\n\n## 领域大模型\n\n- https://github.com/BioFM/OpenBioMed\n  - 多模态生物医疗领域大模型\n\n### 1.1、训练监督策略模型\n\n为了让GPT 3.5初步具备理解指令的意图，首先会在数据集中随机抽取问题。\n"
    found = entries_of(note, rules, recognizer)
    assert set(found) == {"OpenBioMed"}
    assert found["OpenBioMed"].name_from_url


def test_evidence_quotes_are_raw_text(rules, recognizer):
    note = "### ChatGLM-6B\n- https://github.com/THUDM/ChatGLM-6B\n\n基于 General Language Model (GLM) 架构，具有 **62 亿**参数。\n"
    entry = entries_of(note, rules, recognizer)["ChatGLM-6B"]
    lines = note.split("\n")
    for evidence in entry.evidence:
        assert evidence.quote in lines[evidence.line - 1], evidence
    assert {(e.field, e.value) for e in entry.evidence} >= {("parameters", "6200000000"), ("base_models", "GLM")}


def test_html_tables_fixture(rules, recognizer):
    """HTML tables: one cell per line, one row per line, rowspan and colspan, and a table the note cuts off."""
    from conftest import FIXTURES

    text = (FIXTURES / "shapes" / "html_tables.md").read_text(encoding="utf-8")
    found = entries_of(text, rules, recognizer, name="html_tables.md")
    assert set(found) == {"Vicuna", "Baize", "Flan-T5", "ChatGLM-6B", "MOSS", "Pythia"}
    assert found["Vicuna"].parameters == (7000000000, 13000000000) and found["Vicuna"].base_models == ("LLaMA",)
    assert found["Baize"].sources[0].line == 25 and urls_of(found["Baize"]) == ["https://github.com/project-baize/baize-chatbot"]
    assert found["Flan-T5"].base_models == ("T5",) and found["Flan-T5"].parameters == (11000000000,)
    assert found["ChatGLM-6B"].parameters == (6000000000, 6200000000)
    assert found["MOSS"].parameters == (16000000000,)
    assert urls_of(found["Pythia"]) == ["https://github.com/EleutherAI/pythia"]
    lines = text.split("\n")
    for entry in found.values():
        for evidence in entry.evidence:
            assert evidence.quote in lines[evidence.line - 1], evidence


def test_owner_and_repo_link_text_names_one_project(rules, recognizer):
    note = ("| 名称 | 简介 |\n|-|-|\n"
            "|[li-plus/chatglm.cpp](https://github.com/li-plus/chatglm.cpp)|C++ 实现|\n"
            "|[MedicalGPT/ChatMed](https://github.com/michael-wzhu/ChatMed)|医疗模型|\n")
    found = entries_of(note, rules, recognizer)
    # the text spells the repository the link points at: the owner is no entry of its own
    assert "li-plus" not in found and urls_of(found["chatglm.cpp"]) == ["https://github.com/li-plus/chatglm.cpp"]
    # two names that are not that repository's owner and name stay two entries
    assert {"MedicalGPT", "ChatMed"} <= set(found)


def test_a_list_of_named_links_under_a_heading_entry_stays_entries(rules, recognizer):
    note = ("# Doc\n\n## LLM Data\n> Reference: [LLMDataHub](https://github.com/someone/LLMDataHub)\n"
            "- [Datatrove](https://github.com/huggingface/datatrove) - data processing pipelines\n"
            "- [Dingo](https://github.com/DataEval/dingo) - data quality checks\n")
    found = entries_of(note, rules, recognizer)
    assert urls_of(found["Datatrove"]) == ["https://github.com/huggingface/datatrove"]
    assert urls_of(found["Dingo"]) == ["https://github.com/DataEval/dingo"]
    # the heading is an entry through its reference line; the listed items are not its links
    assert urls_of(found["LLMDataHub"]) == ["https://github.com/someone/LLMDataHub"]
    # one named link under a heading entry is still the heading entry's own link
    note = "# Doc\n\n### ChatGLM-6B\n- https://github.com/THUDM/ChatGLM-6B\n- [ChatGLM-6B-Slim](https://github.com/silverriver/ChatGLM-6B-Slim)\n"
    found = entries_of(note, rules, recognizer)
    assert set(found) == {"ChatGLM-6B"} and len(found["ChatGLM-6B"].urls) == 2


def test_sizes_in_a_name_are_not_family_versions(rules, recognizer):
    note = "# Doc\n\n- [RecurrentGemma-2B](https://huggingface.co/google/recurrentgemma-2b)\n- [Qwen2-Math-7B](https://huggingface.co/Qwen/Qwen2-Math-7B)\n"
    found = entries_of(note, rules, recognizer)
    # -2B is a size: the name carries Gemma, not Gemma 2; Qwen2 stays Qwen2 when a word follows it
    assert found["RecurrentGemma-2B"].base_models == ("Gemma",)
    assert found["Qwen2-Math-7B"].base_models == ("Qwen2",)


def test_a_generic_link_text_in_the_base_column_is_no_base(rules, recognizer):
    note = ("| 名称 | 基座模型 | 链接 |\n|-|-|-|\n"
            "| 本草: 医学模型 | LLaMA | [Github](https://github.com/SCIR-HI/Huatuo-Llama-Med-Chinese) |\n"
            "| 华佗 | [Github](https://github.com/x/huatuo) |\n")
    found = entries_of(note, rules, recognizer)
    assert found["本草"].base_models == ("LLaMA",)
    assert found["华佗"].base_models == ()


def test_a_bracketed_english_name_in_the_description_names_a_chinese_named_entry(rules, recognizer):
    note = "* 书生·浦语\n  * 地址：https://github.com/InternLM/InternLM\n  * 简介：上海AI实验室发布的大语言模型“书生·浦语”（InternLM）。\n"
    found = entries_of(note, rules, recognizer)
    assert set(found) == {"InternLM"} and found["InternLM"].aliases == ("书生·浦语",)


def test_a_cell_of_bare_urls_names_what_they_point_at(rules, recognizer):
    note = ("| 工具描述 | 链接 |\n|---|---|\n"
            "| trl：强化学习训练框架 | https://github.com/lvwerra/trl |\n"
            "| 中文指令数据 | https://github.com/a/alpaca_zh https://huggingface.co/datasets/b/sharegpt_zh/tree/main |\n"
            "| 悟道数据 | [https://github.com/BAAI-WuDao/WuDaoMM](https://openi.pcl.ac.cn/BAAI/WuDao-Data) |\n")
    found = entries_of(note, rules, recognizer)
    # never `https`, `github.com` or an owner: the URLs' pieces between slashes are no names
    assert set(found) == {"trl", "alpaca_zh", "sharegpt_zh", "WuDaoMM"}
    assert urls_of(found["WuDaoMM"]) == ["https://openi.pcl.ac.cn/BAAI/WuDao-Data"]
    assert all(entry.name_from_url for entry in found.values())


def test_name_and_url_lines_are_entries(rules, recognizer):
    note = ("# Doc\n\n### 医疗\n\n1.DoctorGLM：https://github.com/xionghonglin/DoctorGLM\n\n"
            "BianQue：https://github.com/scutcyr/BianQue\n权重地址：https://huggingface.co/scutcyr/BianQue-2\n\n"
            "使用数据请注明来源：https://github.com/someone/list\n")
    found = entries_of(note, rules, recognizer)
    # the heading over them is a section; a link word (权重地址) or a sentence before the URL names nothing
    assert set(found) == {"DoctorGLM", "BianQue"}
    assert urls_of(found["DoctorGLM"]) == ["https://github.com/xionghonglin/DoctorGLM"]


def test_paper_list_bullets_name_the_model_or_are_the_paper(rules, recognizer):
    note = ("# Language models\n\n"
            "- BLOOM  **\"BLOOM: A 176B-Parameter Open-Access Multilingual Language Model\"**. 2022. [[Paper](https://arxiv.org/abs/2211.05100)]\n"
            "- GPT-3 **\"Language Models are Few-Shot Learners\"**. NeurIPS 2020. [[Paper](https://arxiv.org/abs/2005.14165)]\n"
            "- **Scaling laws for neural language models**, 2020. [Paper](https://arxiv.org/abs/2001.08361)\n"
            "- **ChatGLM-6B**：清华大学开源的对话模型，[GitHub](https://github.com/THUDM/ChatGLM-6B)\n")
    found = entries_of(note, rules, recognizer)
    assert set(found) == {"BLOOM", "GPT-3", "Scaling laws for neural language models", "ChatGLM-6B"}
    assert found["BLOOM"].parameters == (176000000000,) and found["BLOOM"].base_models == ()
    assert urls_of(found["GPT-3"]) == ["https://arxiv.org/abs/2005.14165"] and found["GPT-3"].kind == "model"
    assert found["Scaling laws for neural language models"].kind == "paper"
    # a bold name followed by its description is a name, not a paper title
    assert found["ChatGLM-6B"].kind == "model"


def test_a_link_lines_own_description_decides_its_kind(rules, recognizer):
    note = ("# Doc\n\n* [闻达](https://github.com/l15y/wenda)：大型语言模型调用平台\n"
            "* [Linly](https://github.com/CVI-SZU/Linly)：基于LLaMA的中文对话模型\n")
    found = entries_of(note, rules, recognizer)
    assert found["闻达"].kind == "tool" and found["Linly"].kind == "model"


def test_a_family_inside_a_longer_word_is_no_base(rules, recognizer):
    note = "# Doc\n\n- [BloombergGPT](https://arxiv.org/abs/2303.17564)\n- [BLOOMChat](https://huggingface.co/sambanovasystems/BLOOMChat-176B-v1)\n"
    found = entries_of(note, rules, recognizer)
    assert found["BloombergGPT"].base_models == () and found["BLOOMChat"].base_models == ("BLOOM",)


def test_bracketed_generic_link_text_is_a_link_of_the_entry(rules, recognizer):
    note = "# Doc\n\n1. **VisualGLM-6B**: [[github]](https://github.com/THUDM/VisualGLM-6B)\n"
    found = entries_of(note, rules, recognizer)
    assert urls_of(found["VisualGLM-6B"]) == ["https://github.com/THUDM/VisualGLM-6B"]


def test_a_second_name_column_links_the_rows_entry(rules, recognizer):
    note = ("| Dataset | Paper | Dataset | Tokens (T) |\n|---|---|---|---|\n"
            "| starcoderdata | [StarCoder](https://huggingface.co/blog/starcoder) | [starcoderdata](https://huggingface.co/datasets/bigcode/starcoderdata) | 0.25 |\n")
    found = entries_of(note, rules, recognizer)
    assert set(found) == {"starcoderdata"}
    assert "https://huggingface.co/datasets/bigcode/starcoderdata" in urls_of(found["starcoderdata"])


def test_list_shapes_fixture(rules, recognizer):
    """Awesome-list shapes the seeds lack: `* Name：` with 地址/简介, ####, blockquotes, emoji link lines,
    HTML anchors, badges, a Params (B) column with a list and a range, reference links, numbered lists."""
    from conftest import FIXTURES

    path = FIXTURES / "shapes" / "awesome.md"
    found = entries_of(path.read_text(encoding="utf-8"), rules, recognizer, name="awesome.md")
    assert set(found) == {"Qwen", "ChatGLM3", "Baichuan 2", "MiniCPM", "Mistral 7B", "Falcon", "T5", "Vicuna", "Alpaca", "Mixtral 8x7B"}
    assert urls_of(found["Qwen"]) == ["https://github.com/QwenLM/Qwen"]
    assert found["Qwen"].parameters == (1800000000, 7000000000, 14000000000, 72000000000)
    assert found["Qwen"].organizations == ("Alibaba",)
    assert found["ChatGLM3"].languages == ("en", "zh") and found["ChatGLM3"].organizations == ("Tsinghua University", "Zhipu AI")
    assert found["Baichuan 2"].parameters == (7000000000, 13000000000), "2.6 万亿 Tokens is data"
    assert urls_of(found["MiniCPM"]) == ["https://github.com/OpenBMB/MiniCPM"], "a shields.io badge is decoration"
    assert urls_of(found["Alpaca"]) == ["https://github.com/tatsu-lab/stanford_alpaca"]
    assert found["Mistral 7B"].organizations == ("Mistral AI",)
    assert found["Falcon"].parameters == (7000000000, 40000000000, 180000000000)
    assert found["T5"].parameters == (60000000, 11000000000)
    assert found["Vicuna"].base_models == ("LLaMA",) and urls_of(found["Vicuna"]) == ["https://github.com/lm-sys/FastChat"]
    assert found["Mixtral 8x7B"].parameters == (), "an expert layout is not a parameter count"
    assert found["Mixtral 8x7B"].base_models == (), "a model's own family is not its base"


def test_labelled_and_linked_bullets(rules, recognizer):
    """`1. **Name**：description [GitHub](...)`, `- [Name](...) - description`, `- **Name** ([model](...)): ...`,
    `- Name: description URL`, and a bare word heading over such a list is a section."""
    from conftest import FIXTURES

    text = (FIXTURES / "shapes" / "labelled_bullets.md").read_text(encoding="utf-8")
    found = entries_of(text, rules, recognizer, name="labelled_bullets.md")
    assert set(found) == {"ChatGLM-6B", "Baichuan-7B", "Vicuna", "Falcon-40B", "StarCoder"}
    assert urls_of(found["ChatGLM-6B"]) == ["https://github.com/THUDM/ChatGLM-6B"]
    assert found["ChatGLM-6B"].organizations == ("Tsinghua University",)
    assert urls_of(found["Falcon-40B"]) == ["https://huggingface.co/tiiuae/falcon-40b"] and found["Falcon-40B"].aliases == ()
    assert found["StarCoder"].parameters == (15500000000,)
    assert found["Vicuna"].base_models == ("LLaMA",) and found["Vicuna"].parameters == (7000000000, 13000000000)


def test_headings_that_are_links(rules, recognizer):
    from conftest import FIXTURES

    text = (FIXTURES / "shapes" / "linked_headings.md").read_text(encoding="utf-8")
    found = entries_of(text, rules, recognizer, name="linked_headings.md")
    assert set(found) == {"ChatGLM-6B", "Qwen-7B"}
    assert urls_of(found["ChatGLM-6B"]) == ["https://github.com/THUDM/ChatGLM-6B"]
    assert urls_of(found["Qwen-7B"]) == ["https://github.com/QwenLM/Qwen"]


def test_a_heading_keeps_its_name_over_a_checkpoint_repository_and_a_partial_one_takes_the_repository(rules, recognizer):
    """A repository named `<heading>-<variant>` is one checkpoint of the project the heading names."""
    note = """# Models

### Skywork-MoE
- https://huggingface.co/Skywork/Skywork-MoE-base

Skywork-MoE is a mixture-of-experts model.

### 360智脑
- https://github.com/Qihoo360/360zhinao

A Chinese model.

### Audio
- https://github.com/QwenLM/Qwen2-Audio

An audio model.
"""
    found = entries_of(note, rules, recognizer)
    assert set(found) == {"Skywork-MoE", "360智脑", "Qwen2-Audio"}
    assert urls_of(found["Skywork-MoE"]) == ["https://huggingface.co/Skywork/Skywork-MoE-base"]
    assert urls_of(found["360智脑"]) == ["https://github.com/Qihoo360/360zhinao"]


def test_a_fine_tune_takes_its_bases_size_only_when_it_states_none(rules, recognizer):
    note = """# Models

- [XrayGLM](https://github.com/example/XrayGLM): 基于VisualGLM-6B微调的医学影像模型。
- [SparseMoE](https://github.com/example/SparseMoE): a mixture-of-experts model with 146 billion parameters. It is initialized from the dense checkpoints of our Skywork-13B model.
"""
    found = entries_of(note, rules, recognizer)
    assert found["XrayGLM"].parameters == (6000000000,)
    assert found["XrayGLM"].base_models == ("VisualGLM",)
    assert found["SparseMoE"].parameters == (146000000000,)


def test_a_family_and_a_version_in_a_name_is_a_release_of_the_family_not_a_fine_tune(rules, recognizer):
    note = """# Models

- [RWKV-6-World 14B](https://huggingface.co/example/rwkv-6-world): a dense RNN language model.
- [StarCoder2-15B](https://github.com/example/starcoder2): a code model.
- [ChatGLM-Med](https://github.com/example/Med-ChatGLM): a medical model.
"""
    found = entries_of(note, rules, recognizer)
    assert found["RWKV-6-World 14B"].base_models == ()
    assert found["StarCoder2-15B"].base_models == ()
    assert found["ChatGLM-Med"].base_models == ("ChatGLM",)


def test_a_bullet_labelled_only_by_symbols_is_named_by_its_url(rules, recognizer):
    note = """# Adapters

- 3\ufe0f\u20e3 <https://huggingface.co/tloen/alpaca-lora-7b>
- \U0001f1e7\U0001f1f7 <https://huggingface.co/22h/cabrita-lora-v0-1>
- \U0001f917 **Try the model out [here](https://huggingface.co/spaces/tloen/alpaca-lora)**
"""
    found = entries_of(note, rules, recognizer)
    assert set(found) == {"alpaca-lora-7b", "cabrita-lora-v0-1", "alpaca-lora"}
    assert found["alpaca-lora-7b"].parameters == (7000000000,)
    assert urls_of(found["alpaca-lora"]) == ["https://huggingface.co/spaces/tloen/alpaca-lora"]


def test_table_links_whose_words_are_all_generic_and_download_columns_are_the_rows_own(rules, recognizer):
    note = """| Model | Checkpoint | Paper | Download |
| --- | --- | --- | --- |
| WizardCoder-15B-V1.0 | 🤗 <a href="https://huggingface.co/WizardLM/WizardCoder-15B-V1.0">HF Link</a> | <a href="https://arxiv.org/abs/2306.08568">[WizardCoder]</a> | |
| Vicuna-13B-v1.3 | | | [LoRA](https://huggingface.co/liuhaotian/llava-lora-vicuna-13b) |
"""
    found = entries_of(note, rules, recognizer)
    assert urls_of(found["WizardCoder-15B-V1.0"]) == ["https://arxiv.org/abs/2306.08568", "https://huggingface.co/WizardLM/WizardCoder-15B-V1.0"]
    assert urls_of(found["Vicuna-13B-v1.3"]) == ["https://huggingface.co/liuhaotian/llava-lora-vicuna-13b"]


def test_the_name_column_is_the_one_whose_header_is_a_name_word(rules, recognizer):
    note = """|模型系列|模型名称|模型类型|参数（亿）|
|---|---|---|---|
|RedPajama|RedPajama-INCITE-Base-3B-v1|大语言模型|28|
|RedPajama|RedPajama-INCITE-Chat-3B-v1|大语言模型|28|
"""
    found = entries_of(note, rules, recognizer)
    assert set(found) == {"RedPajama-INCITE-Base-3B-v1", "RedPajama-INCITE-Chat-3B-v1"}


def test_link_text_that_is_a_file_name_is_a_name_not_a_domain(rules, recognizer):
    note = """# Tools

- [alpaca.cpp](https://github.com/antimatter15/alpaca.cpp) runs the model on a laptop.
- [gorilla.cs.berkeley.edu](https://gorilla.cs.berkeley.edu/leaderboard.html) a leaderboard.
"""
    found = entries_of(note, rules, recognizer)
    assert urls_of(found["alpaca.cpp"]) == ["https://github.com/antimatter15/alpaca.cpp"]
    assert "https://gorilla.cs.berkeley.edu" in urls_of(next(e for e in found.values() if "gorilla" in e.name))


def test_a_data_sets_sizes_under_a_billion_are_counts_not_parameters(rules, recognizer):
    note = """## 数据集

| 数据集 | 大小 | 下载 |
| --- | --- | --- |
| train_2M_CN | 2M | [dataset](https://huggingface.co/datasets/BelleGroup/train_2M_CN) |
"""
    found = entries_of(note, rules, recognizer)
    assert found["train_2M_CN"].kind == "dataset"
    assert found["train_2M_CN"].parameters == ()
    assert urls_of(found["train_2M_CN"]) == ["https://huggingface.co/datasets/BelleGroup/train_2M_CN"]


def test_a_parent_bullet_over_children_that_each_name_a_project_by_a_link_groups_them(rules, recognizer):
    note = """- DeepMind
  - 2021/12, [Gopher](https://www.deepmind.com/blog/gopher) (280B), SOTA LLM
  - 2022/04, [Chinchilla](https://www.deepmind.com/blog/chinchilla) (70B), a 4x smaller model
- LLaMA
  - [paper](https://arxiv.org/abs/2302.13971)
  - [code](https://github.com/facebookresearch/llama)
"""
    found = entries_of(note, rules, recognizer)
    assert set(found) == {"Gopher", "Chinchilla", "LLaMA"}
    assert found["Gopher"].parameters == (280000000000,)
    assert urls_of(found["LLaMA"]) == ["https://arxiv.org/abs/2302.13971", "https://github.com/facebookresearch/llama"]


def test_a_link_showing_its_url_after_a_label_is_the_labels_and_a_link_label_names_nothing(rules, recognizer):
    note = """## 开源数据集库

1. OpenDataLab数据集仓库: [https://opendatalab.org.cn/](https://opendatalab.org.cn/)
* 模型下载地址: [https://huggingface.co/models](https://huggingface.co/models)
"""
    found = entries_of(note, rules, recognizer)
    assert set(found) == {"OpenDataLab"}
    assert urls_of(found["OpenDataLab"]) == ["https://opendatalab.org.cn"]


def test_an_entry_known_only_by_a_hubs_data_set_pages_is_a_data_set_unless_it_has_a_size_or_base(rules, recognizer):
    note = """- [(JosephusCheung/GuanacoDataset)|534K|ML|MT|SI](https://huggingface.co/datasets/JosephusCheung/GuanacoDataset)

| 模型 | 基座 | 参数 |
| --- | --- | --- |
| [Guanaco](https://huggingface.co/datasets/JosephusCheung/GuanacoDataset2) | LLaMA-7B | 7B |
"""
    found = entries_of(note, rules, recognizer)
    assert [e.kind for e in found.values() if "GuanacoDataset" in e.name] == ["dataset"]
    assert found["Guanaco"].kind == "model"


def test_a_link_text_that_is_a_name_and_its_description_or_owner_and_name_gives_the_name(rules, recognizer):
    note = """- [CodeGeeX 13B | Multi Language Code Generation Model](https://huggingface.co/spaces/THUDM/CodeGeeX) a code model
- [(Hello-SimpleAI/HC3)|24K|EN|MT|MIX](https://huggingface.co/datasets/Hello-SimpleAI/HC3)
- [Koala: A Dialogue Model for Academic Research](https://github.com/young-geng/EasyLM)
- [WizardLM: Enhancing Large Language Models to Follow Complex Instructions](https://www.youtube.com/watch?v=I6sER-qivYk)
- [新加坡科技设计大学提出FLACUNA：提高LLMs问题解决能力!](https://mp.weixin.qq.com/s/abc)
"""
    found = entries_of(note, rules, recognizer)
    assert found["CodeGeeX 13B"].parameters == (13000000000,) and found["CodeGeeX 13B"].kind == "model"
    assert found["HC3"].kind == "dataset" and found["HC3"].aliases == ("Hello-SimpleAI/HC3",)
    assert found["Koala"].kind == "model"
    # to a video, a paper or a blog post, `Name: subtitle` is that piece's title
    assert found["WizardLM: Enhancing Large Language Models to Follow Complex Instructions"].kind == "article"
    assert found["新加坡科技设计大学提出FLACUNA：提高LLMs问题解决能力!"].kind == "article"


def test_a_heading_that_links_its_own_project_is_an_entry_and_owns_its_label_bullets(rules, recognizer):
    note = """## [(teknium1/GPTeacher)|20k+|EN|MT|SI](https://github.com/teknium1/GPTeacher)

 - Summary: A collection of modular datasets generated by GPT-4
 - paper: [GPTeacher paper](https://arxiv.org/abs/2301.00001)
"""
    found = entries_of(note, rules, recognizer)
    assert set(found) == {"GPTeacher"}
    assert urls_of(found["GPTeacher"]) == ["https://arxiv.org/abs/2301.00001", "https://github.com/teknium1/GPTeacher"]


def test_a_short_line_that_the_next_line_carries_on_is_prose_not_a_name(rules, recognizer):
    note = """These files contain scripts that merge the LoRA weights back into the base model for export to Hugging Face format.
They should help users
who want to run inference in projects like llama.cpp.

Stanford Alpaca
https://github.com/tatsu-lab/stanford_alpaca
"""
    found = entries_of(note, rules, recognizer)
    assert "They should help users" not in found
    assert urls_of(found["Alpaca"]) == ["https://github.com/tatsu-lab/stanford_alpaca"]


def test_a_label_with_a_bracket_of_sizes_names_the_entry_and_keeps_its_owner_name_link(rules, recognizer):
    note = """- EleutherAI
  - GPT-J (6B): 2021/06/04, [EleutherAI/gpt-j-6b](https://huggingface.co/EleutherAI/gpt-j-6b), English language model.
  - OPT (125M/350M/1.3B/2.7B/6.7B/13B/30B/66B/175B): 2022/03, pre-trained using [metaseq](https://github.com/facebookresearch/metaseq)
"""
    found = entries_of(note, rules, recognizer)
    assert set(found) == {"GPT-J", "OPT"}
    assert urls_of(found["GPT-J"]) == ["https://huggingface.co/EleutherAI/gpt-j-6b"]
    assert found["OPT"].parameters[0] == 125000000 and found["OPT"].parameters[-1] == 175000000000
    assert urls_of(found["OPT"]) == []


def test_a_table_with_no_name_column_names_rows_by_their_urls_when_its_link_texts_are_labels(rules, recognizer):
    note = """| Base LLM | Vision Encoder | Pretrain Data | Finetuning Data | Download |
|---|---|---|---|---|
| Vicuna-13B-v1.3 | CLIP-L-336px | LCS-558K | LLaVA-Instruct-80K | [LoRA](https://huggingface.co/liuhaotian/llava-v1-0719-336px-lora-vicuna-13b-v1.3) |
| Vicuna-7B-v1.3 | CLIP-L-336px | LCS-558K | LLaVA-Instruct-80K | [LoRA](https://huggingface.co/liuhaotian/llava-v1-0719-336px-lora-vicuna-7b-v1.3) |
| LLaMA-2-7B-Chat | CLIP-L | LCS-558K | LLaVA-Instruct-80K | [ckpt](https://huggingface.co/liuhaotian/llava-llama-2-7b-chat-lightning-lora-preview) |
"""
    found = entries_of(note, rules, recognizer)
    assert set(found) == {"llava-v1-0719-336px-lora-vicuna-13b-v1.3", "llava-v1-0719-336px-lora-vicuna-7b-v1.3",
                          "llava-llama-2-7b-chat-lightning-lora-preview"}
    assert found["llava-v1-0719-336px-lora-vicuna-7b-v1.3"].base_models == ("Vicuna",)


def test_a_bullet_sentence_names_its_entry_in_its_first_clause(rules, recognizer):
    note = """### 指令集+答案

1. Stanford-Alpaca数据集，52K的英文，采用Self-Instruct技术获取，数据已开源：

   https://github.com/tatsu-lab/stanford_alpaca/blob/main/alpaca_data.json
2. pCLUE数据，基于提示的大规模预训练数据集，根据CLUE评测标准转化而来

   https://github.com/CLUEbenchmark/pCLUE/tree/main/datasets
"""
    found = entries_of(note, rules, recognizer)
    assert set(found) == {"Stanford-Alpaca", "pCLUE"}
    assert found["pCLUE"].aliases == ("pCLUE数据",)


def test_a_category_word_heading_with_a_maker_over_one_site_is_a_product(rules, recognizer):
    note = """### 2. 通义大模型--阿里

阿里大模型统一品牌。

[[官方网站](https://tongyi.aliyun.com/)]

## 开源大模型

- https://github.com/THUDM/ChatGLM-6B
"""
    found = entries_of(note, rules, recognizer)
    assert urls_of(found["通义大模型"]) == ["https://tongyi.aliyun.com"]
    assert "开源大模型" not in found


def test_a_short_line_over_url_lines_of_repositories_it_names_none_of_groups_them(rules, recognizer):
    note = """全新的大模型评估范式——PandaLM。PandaLM 通过训练一个专门用于评估的大模型，对大模型能力进行自动化且可复现的测试验证。 <br/>
https://github.com/WeOpenML/PandaLM <br/>
<br/>
清华模型微调 <br/>
https://github.com/mymusise/ChatGLM-Tuning <br/>
https://github.com/liucongg/ChatGLM-Finetuning <br/>
<br/>
ChatGLM <br/>
https://github.com/THUDM/ChatGLM-6B <br/>
https://github.com/THUDM/ChatGLM2-6B <br/>
"""
    found = entries_of(note, rules, recognizer)
    assert {"ChatGLM-Tuning", "ChatGLM-Finetuning", "ChatGLM"} <= set(found)
    assert "清华模型微调" not in found
    # a lead that names one of its repositories stays the entry that owns them
    assert urls_of(found["ChatGLM"]) == ["https://github.com/THUDM/ChatGLM-6B", "https://github.com/THUDM/ChatGLM2-6B"]
